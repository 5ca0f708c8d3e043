/**
 * The three parts of supervision wired to each other: the dispatcher (daemon/), the
 * processes and the supervisor's loop. Each needs the others through callbacks; they
 * are made here once, for the daemon pool and for the unit tests' fake world alike.
 */
import type { ServerConfig } from "../config/server-config.js";
import { ThreadDispatcher } from "../daemon/thread-dispatcher.js";
import type { ErrorLog } from "../log/error-log.js";
import type { DaemonChild, DaemonProcess } from "./daemon-process.js";
import { DaemonProcesses } from "./daemon-processes.js";
import { Supervisor, type SupervisorOptions } from "./supervisor.js";

export interface Supervision {
  readonly threads: ThreadDispatcher<DaemonProcess>;
  readonly processes: DaemonProcesses;
  readonly supervisor: Supervisor;
}

export function superviseDaemons(
  config: ServerConfig,
  log: ErrorLog,
  /** Starts the child for slot `index` (0-based). */
  launch: (index: number) => DaemonChild,
  options: SupervisorOptions & {
    /** A process is replaced, for `reason` (a recycle reason, or "exit": it died unasked). */
    readonly onRestart?: (pid: number, reason: string) => void;
  },
): Supervision {
  // The callbacks run only once all three exist.
  const parts = {} as { processes: DaemonProcesses; supervisor: Supervisor };
  const threads = new ThreadDispatcher<DaemonProcess>(
    config,
    {
      processOf: (channel) => parts.processes.get(channel.pid),
      afterRequest: (daemon) => {
        parts.supervisor.afterRequest(daemon);
      },
      countsAsActivity: (path) => parts.supervisor.countsAsActivity(path),
      finish: (daemon) => {
        parts.processes.finish(daemon);
      },
    },
    () => options.timers.now(),
  );
  parts.processes = new DaemonProcesses(
    config,
    log,
    threads,
    {
      launch,
      started: (daemon) => {
        parts.supervisor.watchStartup(daemon);
      },
      exited: (daemon, code, signal) => {
        if (!parts.processes.stopping && daemon.retiring === null) {
          options.onRestart?.(daemon.pid, "exit");
        }
        parts.supervisor.post({ type: "exit", daemon, code, signal });
      },
      replaced: (daemon, reason) => {
        options.onRestart?.(daemon.pid, reason);
      },
    },
    options.timers,
  );
  parts.supervisor = new Supervisor(config, log, parts.processes, options);
  return { threads, ...parts };
}
