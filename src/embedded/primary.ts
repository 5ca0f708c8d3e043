/**
 * The primary process of embedded mode (docs/embedded-mode.md): builds (or finds) the
 * addon, finds the Python's libpython, then forks --processes workers sharing the
 * listening socket (node:cluster, each worker accepting for itself) and supervises
 * them (worker-set.ts); the banner, the pid file, services, and the stop and restart
 * signals as in daemon mode. The primary never loads Python.
 */
import cluster, { type Worker } from "node:cluster";
import { fileURLToPath } from "node:url";
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import type { CliIo } from "../cli-io.js";
import type { ServerConfig } from "../config/server-config.js";
import { isWsgiExpressError } from "../errors.js";
import { formatBanner } from "../lifecycle/banner.js";
import { fatalFailure, startupOutput, writePidFile } from "../lifecycle/lifecycle-files.js";
import { prepareProcess, StartupError } from "../lifecycle/process-setup.js";
import { boundPortEnvironment, withEnvironment } from "../lifecycle/bound-ports.js";
import { handleRestartSignals, restartFor } from "../lifecycle/restart-signals.js";
import { rootWarnings } from "../lifecycle/root-warning.js";
import { waitForStopSignal, type StopSignal } from "../lifecycle/stop-signal.js";
import { ErrorLog, type LogSink } from "../log/error-log.js";
import { openLogs, type OpenLogs } from "../log/log-files.js";
import { systemTimers } from "../process/timers.js";
import { ServiceSupervisor } from "../service/services.js";
import { ensureAddon } from "./build.js";
import { checkOpenssl, findLibpython } from "./libpython.js";
import { fixedPort } from "./listen-port.js";
import { StatusGatherer } from "./status-gather.js";
import { WORKER_ACCESS_LOG_FD, WORKER_ERROR_LOG_FD, type FromWorker } from "./worker-messages.js";
import { WorkerSet, type Ready, type WorkerLike } from "./worker-set.js";

const WORKER_SCRIPT = fileURLToPath(new URL("./worker-entry.js", import.meta.url));

/** Beyond --shutdown-timeout, the workers' own deadline, before they are killed. */
const STOP_SLACK_MS = 5_000;

/** What the workers need that the primary finds once: the addon and libpython. */
async function prepare(
  config: ServerConfig,
  io: CliIo,
): Promise<{ addon: string; library: string; programName: string }> {
  const addon = await ensureAddon({
    env: process.env,
    execPath: process.execPath,
    abi: process.versions.modules,
    say: (line) => io.stderr.write(`${line}\n`),
  });
  const python = await findLibpython(config.daemons.python.executable);
  checkOpenssl(python, process.versions.openssl);
  return { addon, library: python.library, programName: python.executable };
}

type Found = Awaited<ReturnType<typeof prepare>>;

/** Serves in embedded mode until a stop signal; resolves with the exit status. */
export async function runEmbedded(config: ServerConfig, io: CliIo): Promise<number> {
  let found: Found;
  try {
    await prepareProcess(config);
    found = await prepare(config, io);
  } catch (error) {
    if (!isWsgiExpressError(error) && !(error instanceof StartupError)) throw error;
    await startupOutput(config, io.stderr, `wsgi-express: error: ${error.message}\n`);
    return isWsgiExpressError(error) ? error.exitCode : 1;
  }
  const logs = await openLogs(config, io);
  const errorLog = new ErrorLog(
    logs.error,
    config.logging.logLevel,
    undefined,
    config.logging.errorLogFormat,
  );
  // --port 0: one port for every worker, found once (listen-port.ts).
  const listen = { ...config.listen, port: await fixedPort(config.listen) };
  const { processes, threads } = config.daemons;
  const gatherer = config.health.serverStatus
    ? new StatusGatherer({ processes, threads }, systemTimers)
    : null;
  const workers = new WorkerSet(
    config.daemons.processes,
    (index) =>
      forkWorker({ ...config, listen }, found, { index, errorLog, logs, status: gatherer }),
    errorLog,
    systemTimers,
    config.daemons,
  );
  const stop = waitForStopSignal();
  // apachectl restart (SIGHUP) and graceful (SIGUSR1): every worker is replaced, each
  // new one ready before the old one stops accepting (worker-set.ts).
  const stopRestarts = handleRestartSignals((signal) => {
    errorLog.notice(
      signal === "SIGHUP"
        ? "caught SIGHUP, restarting the embedded workers"
        : "caught SIGUSR1, restarting the embedded workers gracefully",
    );
    const { reason, drainSeconds } = restartFor(signal, config.daemons);
    workers.restartAll(reason, drainSeconds);
  });
  const started = await workers.start(config.daemons.startupTimeout * 1000);
  let status = 1;
  if (typeof started === "string") {
    await workers.stop(config.daemons.shutdownTimeout * 1000 + STOP_SLACK_MS);
    await startupOutput(config, io.stderr, `wsgi-express: error: ${started}\n`);
  } else {
    status = await serve(config, { workers, errorLog, logs, stop, io }, started);
  }
  stop.dispose();
  stopRestarts();
  await logs.close();
  return status;
}

interface Running {
  readonly workers: WorkerSet;
  readonly errorLog: ErrorLog;
  readonly logs: OpenLogs;
  readonly stop: StopSignal;
  readonly io: CliIo;
}

/** The services, the pid file and the banner; then waits for a stop signal (or a
 *  fatal failure) and stops the workers gracefully. */
async function serve(config: ServerConfig, running: Running, started: Ready): Promise<number> {
  const { workers, errorLog, logs, stop } = running;
  const fatal = fatalFailure();
  // With --port 0, the services see the port the workers were given (bound-ports.ts).
  const bound = withEnvironment(config, boundPortEnvironment(started.port, null));
  const services = new ServiceSupervisor(bound, errorLog, fatal.fail);
  await services.start();
  const pidFile = await writePidFile(config.pidFile);
  const facts = { errorLog: logs.errorPath, accessLog: logs.accessPath };
  await startupOutput(config, running.io.stdout, formatBanner(config, { ...started, ...facts }));
  for (const warning of rootWarnings(config, process.getuid?.())) errorLog.warn(warning);
  errorLog.notice(
    `wsgi-express serving on port ${started.port} in embedded mode (primary pid ` +
      `${process.pid}, workers ${workers.pids.join(", ")})`,
  );
  const signal = await Promise.race([stop.signalled, fatal.failed]);
  errorLog.notice(
    fatal.message === null ? `caught ${signal}, shutting down` : `${fatal.message}; stopping`,
  );
  void stop.forced.then(() => {
    workers.kill();
  });
  await Promise.all([
    workers.stop(
      (config.health.shutdownDelay + config.daemons.shutdownTimeout) * 1000 + STOP_SLACK_MS,
    ),
    services.stop(),
  ]);
  await pidFile.remove();
  return fatal.message === null ? 0 : 1;
}

interface ForkContext {
  readonly index: number;
  readonly errorLog: ErrorLog;
  readonly logs: OpenLogs;
  /** --server-status: the workers' figures gathered for whichever is asked. */
  readonly status: StatusGatherer | null;
}

function forkWorker(config: ServerConfig, found: Found, context: ForkContext): WorkerLike {
  const { index, errorLog, logs } = context;
  // Each worker accepts its own connections from the shared socket (no round robin
  // through the primary: that would be a hop per connection).
  cluster.schedulingPolicy = cluster.SCHED_NONE;
  cluster.setupPrimary({
    exec: WORKER_SCRIPT,
    args: [],
    execArgv: [],
    serialization: "advanced",
    // stdout, stderr: Python's output (print, tracebacks) into the error log, as a
    // daemon's; then IPC; then the worker's own error log lines and access log lines.
    stdio: ["ignore", "pipe", "pipe", "ipc", "pipe", "pipe"],
  });
  const worker = cluster.fork({ ...config.daemons.environment });
  const pid = worker.process.pid ?? 0;
  const stdio = worker.process.stdio as (Readable | null)[];
  for (const stream of [stdio[1], stdio[2]]) {
    lines(stream, (line) => {
      errorLog.daemonOutput(pid, line);
    });
  }
  passLines(stdio[WORKER_ERROR_LOG_FD], logs.error);
  passLines(stdio[WORKER_ACCESS_LOG_FD], logs.access);
  context.status?.watch(worker);
  worker.on("message", (message: FromWorker) => {
    if (message.type === "listening") {
      worker.send({ type: "start", config, ...found, processIndex: index + 1 });
    }
  });
  return asWorkerLike(worker, pid);
}

function asWorkerLike(worker: Worker, pid: number): WorkerLike {
  return Object.assign(worker, {
    pid,
    kill: (signal: NodeJS.Signals) => {
      worker.process.kill(signal);
    },
  });
}

function lines(stream: Readable | null | undefined, onLine: (line: string) => void): void {
  if (stream) createInterface({ input: stream }).on("line", onLine);
}

function passLines(stream: Readable | null | undefined, sink: LogSink | null): void {
  if (sink === null) {
    stream?.resume();
    return;
  }
  lines(stream, (line) => sink.write(`${line}\n`));
}
