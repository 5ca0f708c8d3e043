/**
 * One Python daemon process: spawned with the launch settings, its output turned into
 * error log lines, its end reported once. The pool decides what to do about it.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { ServerConfig } from "../config/server-config.js";
import type { ErrorLog } from "../log/error-log.js";
import { logChildOutput } from "./child-output.js";
import type { ControlChannel } from "./control-channel.js";
import { debugCommand } from "./gdb.js";
import type { WorkerChannel } from "./worker-channel.js";

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
  /** BodyFileProbe's path; null: spooled bodies go to this daemon as frames. */
  readonly bodyFileProbe: string | null;
}

/** The ps title of a daemon, as mod_wsgi's display-name=%{GROUP}: `(wsgi:GROUP)`. */
export function displayName(config: ServerConfig): string {
  return `(wsgi:${config.application.processGroup})`;
}

export class DaemonProcess {
  readonly child: ChildProcess;
  readonly startedAt = performance.now();
  control: ControlChannel | null = null;
  app: AppStatus | null = null;
  exited = false;
  /** Set when the front end asked it to stop, so its end is not reported as a crash. */
  stopping = false;
  /** Why it is being replaced; set when its replacement is started. */
  retiring: string | null = null;
  /** No new requests go to it: its replacement is ready (or it is stuck). */
  draining = false;
  readonly channels = new Set<WorkerChannel>();
  /** Its position among the --processes (0-based). */
  index = 0;
  /** How long its requests in flight get once its replacement is ready. */
  drainSeconds = 0;
  requests = 0;
  lastActivity: number | null = null;
  lastHeartbeat = performance.now();

  constructor(
    launch: DaemonLaunch,
    log: ErrorLog,
    onExit: (daemon: DaemonProcess, code: number | null, signal: string | null) => void,
  ) {
    const { config } = launch;
    // --python-warnings: -W options, so that sys.warnoptions shows them (WSGIPythonWarnings).
    const warnings = config.daemons.pythonWarnings.flatMap((spec) => ["-W", spec]);
    // The last argument is the process title (ps, pkill -f wsgi:GROUP); daemon.py
    // ignores it, and the daemon also sets its kernel name (comm) from it.
    const args = [...warnings, DAEMON_SCRIPT, displayName(config)];
    const [file, argv] = debugCommand(config, [config.daemons.python.executable, ...args]);
    this.child = spawn(file, argv, {
      cwd: config.application.workingDirectory,
      env: { ...process.env, ...config.daemons.environment, ...launchEnvironment(launch) },
      // Debug mode: the terminal is the daemon's, so that pdb can prompt and read.
      stdio: config.debug.debugMode ? "inherit" : ["ignore", "pipe", "pipe"],
      // A session of its own, outside debug mode: a terminal's Ctrl-C signals the front
      // end's process group, and the front end then stops the daemons itself, as
      // mod_wsgi-express keeps Apache out of the terminal's group. A daemon given the
      // SIGINT too stopped on its own, racing the front end, which took it for a crash
      // ("exited with status 0; restarting"). Without its control connection a daemon
      // stops (control.py), so the front end's death still ends it.
      detached: !config.debug.debugMode,
    });
    logChildOutput(this.child, log);
    this.child.on("error", (error) => {
      log.error(`could not start daemon process: ${error.message}`);
    });
    this.child.on("exit", (code, signal) => {
      this.exited = true;
      this.control?.destroy();
      clearTimeout(this.killTimer);
      onExit(this, code, signal);
    });
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  /** Busy with a request that has not timed out (those are not waited for). */
  get activeRequests(): number {
    let count = 0;
    for (const channel of this.channels) if (channel.busy && !channel.stale) count += 1;
    return count;
  }

  /** Asks it to stop (SHUTDOWN with the reason its process_stopping event reports, or
   *  SIGTERM before it has a control connection); SIGKILL if still alive after the grace
   *  period (--shutdown-timeout). Always reaped by 'exit'. */
  stop(graceSeconds: number, reason = "shutdown_signal"): void {
    if (this.stopping || this.exited) return;
    this.stopping = true;
    if (this.control?.open) this.control.shutdown(reason);
    else this.child.kill("SIGTERM");
    this.killTimer = setTimeout(() => {
      if (!this.exited) this.child.kill("SIGKILL");
    }, graceSeconds * 1000);
  }

  /** stop(), resolving once the process has exited. */
  stopAndWait(graceSeconds: number, reason?: string): Promise<void> {
    const exited = new Promise<void>((resolve) => {
      if (this.exited) resolve();
      else
        this.child.once("exit", () => {
          resolve();
        });
    });
    this.stop(graceSeconds, reason);
    return exited;
  }

  /** At once, for a process that cannot answer (deadlocked, or hung at start-up). */
  kill(): void {
    this.stopping = true;
    if (!this.exited) this.child.kill("SIGKILL");
  }

  private killTimer: NodeJS.Timeout | undefined;
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
    cpuTimeLimit: daemons.cpuTimeLimit,
    virtualMemoryLimit: daemons.virtualMemoryLimit,
    shutdownTimeout: daemons.shutdownTimeout,
    reloadOnChanges: daemons.reloadOnChanges,
    scriptReloading: daemons.scriptReloading,
    enableSendfile: daemons.enableSendfile,
    sendBufferSize: daemons.sendBufferSize,
    receiveBufferSize: daemons.receiveBufferSize,
    bodyFileProbe: launch.bodyFileProbe,
    displayName: displayName(config),
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
    debugger: config.debug.debugger,
    debuggerStartup: config.debug.debuggerStartup,
    coverageDirectory: config.debug.coverageDirectory,
    profilerDirectory: config.debug.profilerDirectory,
    recorderDirectory: config.debug.recorderDirectory,
    underGdb: config.debug.gdbExecutable !== null,
  };
  // The daemon pops this before loading the app, so the app never sees it.
  return { WSGI_EXPRESS_DAEMON: JSON.stringify(settings) };
}
