/**
 * One Python daemon process: spawned with the launch settings, its output turned into
 * error log lines, its end reported once. The pool decides what to do about it.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import type { Socket } from "node:net";
import { fileURLToPath } from "node:url";
import type { ServerConfig } from "../config/server-config.js";
import type { ErrorLog } from "../log/error-log.js";

/** python/daemon.py inside this package (dist/src/daemon -> package root). */
export const DAEMON_SCRIPT = fileURLToPath(new URL("../../../python/daemon.py", import.meta.url));

export interface AppStatus {
  readonly loaded: boolean;
  readonly error: string | null;
}

export interface DaemonLaunch {
  readonly config: ServerConfig;
  readonly socketPath: string;
  readonly token: string;
  readonly processIndex: number;
}

export class DaemonProcess {
  readonly child: ChildProcess;
  readonly startedAt = performance.now();
  control: Socket | null = null;
  app: AppStatus | null = null;
  exited = false;
  /** Set when the front end asked it to stop, so its end is not reported as a crash. */
  stopping = false;

  constructor(
    launch: DaemonLaunch,
    log: ErrorLog,
    onExit: (daemon: DaemonProcess, code: number | null, signal: string | null) => void,
  ) {
    const { config } = launch;
    // --python-warnings: -W options, so that sys.warnoptions shows them (WSGIPythonWarnings).
    const warnings = config.daemons.pythonWarnings.flatMap((spec) => ["-W", spec]);
    const args = [...warnings, DAEMON_SCRIPT];
    this.child = spawn(config.daemons.python.executable, args, {
      cwd: config.application.workingDirectory,
      env: { ...process.env, ...config.daemons.environment, ...launchEnvironment(launch) },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const pid = this.child.pid ?? 0;
    for (const stream of [this.child.stdout, this.child.stderr]) {
      if (stream)
        createInterface({ input: stream }).on("line", (line) => {
          log.daemonOutput(pid, line);
        });
    }
    this.child.on("error", (error) => {
      log.error(`could not start daemon process: ${error.message}`);
    });
    this.child.on("exit", (code, signal) => {
      this.exited = true;
      this.control?.destroy();
      onExit(this, code, signal);
    });
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  /** SIGTERM now; SIGKILL if still alive after the grace period. Always reaped by 'exit'. */
  stop(graceSeconds: number): void {
    this.stopping = true;
    if (this.exited) return;
    this.child.kill("SIGTERM");
    const timer = setTimeout(() => {
      if (!this.exited) this.child.kill("SIGKILL");
    }, graceSeconds * 1000);
    timer.unref();
  }
}

function launchEnvironment(launch: DaemonLaunch): Record<string, string> {
  const { config } = launch;
  const { application, daemons } = config;
  const settings = {
    socket: launch.socketPath,
    token: launch.token,
    processIndex: launch.processIndex,
    processes: daemons.processes,
    multiprocess: daemons.multiprocess,
    threads: daemons.threads,
    maximumRequests: daemons.maximumRequests,
    // Applied by the daemon before the app loads; a failure stops the server.
    user: daemons.identity.user,
    group: daemons.identity.group,
    applicationType: application.type,
    entryPoint: application.entryPoint,
    callableObject: application.callableObject,
    workingDirectory: application.workingDirectory,
    pythonPaths: application.pythonPaths,
    processGroup: application.processGroup,
    applicationGroup: application.applicationGroup,
  };
  // The daemon pops this before loading the app, so the app never sees it.
  return { WSGI_EXPRESS_DAEMON: JSON.stringify(settings) };
}
