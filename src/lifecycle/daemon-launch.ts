/**
 * Starting one Python daemon process: python/daemon.py with its settings in
 * WSGI_EXPRESS_DAEMON, its output turned into error log lines.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { ServerConfig } from "../config/server-config.js";
import type { ErrorLog } from "../log/error-log.js";
import { logChildOutput } from "../process/child-output.js";
import { gilArguments } from "../config/resolve-interpreter.js";
import { debugCommand } from "./gdb.js";

/** python/daemon.py inside this package (dist/src/lifecycle -> package root). */
export const DAEMON_SCRIPT = fileURLToPath(new URL("../../../python/daemon.py", import.meta.url));

export interface DaemonLaunch {
  readonly config: ServerConfig;
  readonly socketPath: string;
  readonly token: string;
  readonly processIndex: number;
  /** BodyFileProbe's path; null: spooled bodies go to this daemon as frames. */
  readonly bodyFileProbe: string | null;
  /** Known once the listeners are bound (bound-ports.ts), over config's environment. */
  readonly environment: Readonly<Record<string, string>>;
}

/** The ps title of a daemon, as mod_wsgi's display-name=%{GROUP}: `(wsgi:GROUP)`. */
export function displayName(config: ServerConfig): string {
  return `(wsgi:${config.application.processGroup})`;
}

export function spawnDaemon(launch: DaemonLaunch, log: ErrorLog): ChildProcess {
  const { config } = launch;
  // --python-warnings: -W options, so that sys.warnoptions shows them (WSGIPythonWarnings).
  const warnings = config.daemons.pythonWarnings.flatMap((spec) => ["-W", spec]);
  const gil = gilArguments(config.daemons.python, config.daemons.interpreter);
  // The last argument is the process title (ps, pkill -f wsgi:GROUP); daemon.py
  // ignores it, and the daemon also sets its kernel name (comm) from it.
  const args = [...gil, ...warnings, DAEMON_SCRIPT, displayName(config)];
  const [file, argv] = debugCommand(config, [config.daemons.python.executable, ...args]);
  const child = spawn(file, argv, {
    cwd: config.application.workingDirectory,
    env: {
      ...process.env,
      ...config.daemons.environment,
      ...launch.environment,
      ...launchEnvironment(launch),
    },
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
  logChildOutput(child, log);
  child.on("error", (error) => {
    log.error(`could not start daemon process: ${error.message}`);
  });
  return child;
}

function launchEnvironment(launch: DaemonLaunch): Record<string, string> {
  // The daemon pops this before loading the app, so the app never sees it.
  return { WSGI_EXPRESS_DAEMON: JSON.stringify(launchSettings(launch)) };
}

/** The launch settings of python/_wsgi_express/launch.py; embedded mode's too. */
export function launchSettings(launch: DaemonLaunch): Record<string, unknown> {
  const { config } = launch;
  const { application, daemons } = config;
  return {
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
    serverMetrics: daemons.serverMetrics,
    sendBufferSize: daemons.sendBufferSize,
    receiveBufferSize: daemons.receiveBufferSize,
    switchInterval: daemons.interpreter.switchInterval,
    orphanInterpreter: daemons.interpreter.orphanInterpreter,
    freeThreading: daemons.interpreter.freeThreading,
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
    // --add-handler: the only scripts a request's mod_wsgi.handler_script may name.
    handlerScripts: config.site.features.handlers.map((handler) => handler.script),
    debugger: config.debug.debugger,
    debuggerStartup: config.debug.debuggerStartup,
    coverageDirectory: config.debug.coverageDirectory,
    profilerDirectory: config.debug.profilerDirectory,
    recorderDirectory: config.debug.recorderDirectory,
    underGdb: config.debug.gdbExecutable !== null,
  };
}
