/**
 * The auth helper's Python process (python/auth_helper.py): the daemons' interpreter,
 * environment, user and paths; checks written as JSON lines on its stdin, answers read
 * from its stdout, and its stderr (script output, tracebacks) into the error log.
 *
 * Why JSON lines on stdio rather than the daemons' framed Unix socket: a check is a few
 * short strings each way with no body to stream, answered out of order (a thread pool),
 * so an id per line is all the framing it needs; the pipes belong to this one child, need
 * no socket file or handshake, and close by themselves when either side dies (the helper
 * exits on end of input, so it never outlives the front end).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import type { ServerConfig } from "../config/server-config.js";
import type { ErrorLog } from "../log/error-log.js";
import { Termination } from "../process/terminate.js";
import { systemTimers } from "../process/timers.js";
import type { HelperChild, HelperEvents } from "./helper.js";

/** python/auth_helper.py inside this package (dist/src/auth -> package root). */
export const HELPER_SCRIPT = fileURLToPath(
  new URL("../../../python/auth_helper.py", import.meta.url),
);

/** Threads of the helper's pool: as many checks at once as the daemons have threads,
 *  and never fewer than 4, so one slow script leaves room for the others. */
export function helperThreads(config: ServerConfig): number {
  return Math.min(64, Math.max(4, config.daemons.processes * config.daemons.threads));
}

export class HelperProcess implements HelperChild {
  private readonly child: ChildProcess;
  private readonly termination: Termination;

  constructor(
    config: ServerConfig,
    log: ErrorLog,
    events: HelperEvents,
    readonly startedAt: number,
  ) {
    const { application, daemons } = config;
    const settings = {
      threads: helperThreads(config),
      workingDirectory: application.workingDirectory,
      pythonPaths: application.pythonPaths,
      user: daemons.identity.user,
      group: daemons.identity.group,
    };
    this.child = spawn(daemons.python.executable, [HELPER_SCRIPT, "(wsgi:auth-helper)"], {
      cwd: application.workingDirectory,
      env: {
        ...process.env,
        ...daemons.environment,
        WSGI_EXPRESS_AUTH_HELPER: JSON.stringify(settings),
      },
      stdio: ["pipe", "pipe", "pipe"],
    });
    const pid = this.pid;
    if (this.child.stderr) {
      createInterface({ input: this.child.stderr }).on("line", (line) => {
        log.daemonOutput(pid, line);
      });
    }
    if (this.child.stdout) {
      createInterface({ input: this.child.stdout }).on("line", (line) => {
        events.line(line);
      });
    }
    // Writes after it died fail with EPIPE: its exit is what reports that.
    this.child.stdin?.on("error", () => undefined);
    this.child.on("error", (error) => {
      log.error(`could not start the auth helper: ${error.message}`);
      // No 'exit' follows a failed spawn: its checks must not wait for their timeout.
      if (this.child.pid === undefined) events.exit(null, null);
    });
    this.child.on("exit", (code, signal) => {
      events.exit(code, signal);
    });
    this.termination = new Termination(this.child, systemTimers, (graceMs) => {
      log.warn(`auth helper (pid ${pid}) did not exit within ${graceMs / 1000}s; killed it`);
    });
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  send(line: string): void {
    this.child.stdin?.write(line + "\n");
  }

  /** End of input asks it to leave (it exits at once, whatever its threads are doing);
   *  SIGKILL after `graceMs` if it has not. */
  stop(graceMs: number): void {
    this.termination.begin(graceMs, () => {
      this.child.stdin?.end();
    });
  }
}
