/**
 * One service script's Python process (reference §4): python/service.py with its
 * settings in WSGI_EXPRESS_SERVICE, the daemons' environment, and every line it writes
 * sent to its log.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { ServerConfig, ServiceConfig } from "../config/server-config.js";
import type { ErrorLog } from "../log/error-log.js";
import { logChildOutput } from "../process/child-output.js";
import { Termination } from "../process/terminate.js";
import { systemTimers } from "../process/timers.js";

/** python/service.py inside this package (dist/src/service -> package root). */
/** The service's end of a pipe that closes when the front end goes (service.py). */
const LIFELINE_FD = 3;

export const SERVICE_SCRIPT = fileURLToPath(new URL("../../../python/service.py", import.meta.url));

/** A service's process as its supervisor sees it (services.ts). */
export interface ServiceChild {
  readonly pid: number;
  /** When it started, on the supervisor's clock (ms). */
  readonly startedAt: number;
  readonly exited: boolean;
  /** SIGTERM (SystemExit in the script); SIGKILL after the grace period. */
  stop(graceSeconds: number): void;
  /** Resolves once it has exited. */
  whenExited(): Promise<void>;
}

export class ServiceProcess implements ServiceChild {
  readonly child: ChildProcess;
  exited = false;
  private readonly termination: Termination;

  constructor(
    config: ServerConfig,
    service: ServiceConfig,
    log: ErrorLog,
    onExit: (code: number | null, signal: string | null) => void,
    readonly startedAt: number,
  ) {
    const { application, daemons } = config;
    const settings = {
      name: service.name,
      script: service.script,
      workingDirectory: application.workingDirectory,
      pythonPaths: application.pythonPaths,
      user: service.identity.user,
      group: service.identity.group,
      serverMetrics: daemons.serverMetrics,
      lifeline: LIFELINE_FD,
    };
    const warnings = daemons.pythonWarnings.flatMap((spec) => ["-W", spec]);
    // The last argument names the process in ps, as mod_wsgi's (wsgi:service:NAME).
    const args = [...warnings, SERVICE_SCRIPT, `(wsgi:service:${service.name})`];
    this.child = spawn(daemons.python.executable, args, {
      cwd: application.workingDirectory,
      // The service pops WSGI_EXPRESS_SERVICE before running the script.
      env: {
        ...process.env,
        ...daemons.environment,
        WSGI_EXPRESS_SERVICE: JSON.stringify(settings),
      },
      // fd 3 is its lifeline: a pipe nothing is written to, which the service sees
      // close when the front end is gone, however it went.
      stdio: ["ignore", "pipe", "pipe", "pipe"],
      // A session of its own, as the daemons (daemon-launch.ts): a terminal's Ctrl-C
      // signals the front end's group, and the front end then stops the service itself.
      // Given the SIGINT too, the service died of it, racing the front end, which took
      // that for a crash and restarted it.
      detached: true,
    });
    logChildOutput(this.child, log);
    this.child.on("error", (error) => {
      log.error(`could not start service ${service.name}: ${error.message}`);
    });
    this.termination = new Termination(this.child, systemTimers, (graceMs) => {
      log.warn(
        `service ${service.name} (pid ${this.pid}) did not exit within ${graceMs / 1000}s of SIGTERM; killed it (SIGKILL)`,
      );
    });
    this.child.on("exit", (code, signal) => {
      this.exited = true;
      onExit(code, signal);
    });
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  stop(graceSeconds: number): void {
    this.termination.begin(graceSeconds * 1000);
  }

  whenExited(): Promise<void> {
    if (this.exited) return Promise.resolve();
    return new Promise((resolve) => {
      this.child.once("exit", () => {
        resolve();
      });
    });
  }
}
