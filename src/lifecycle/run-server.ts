/**
 * Runs one server: private directories, logs, daemons, the HTTP listener, the banner;
 * then serves until SIGTERM/SIGINT and shuts down in order (stop accepting, let
 * in-flight requests finish within --shutdown-timeout, stop the daemons).
 */
import { chmod } from "node:fs/promises";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { dirname } from "node:path";
import { makeDirectories } from "../make-directories.js";
import type { CliIo } from "../cli-io.js";
import type { ServerConfig } from "../config/server-config.js";
import { ErrorLog } from "../log/error-log.js";
import { AccessLog } from "../http/access-log.js";
import { formatBanner } from "./banner.js";
import { rootWarnings } from "./root-warning.js";
import { SupervisedDaemonPool } from "./daemon-pool.js";
import { createFrontEnd } from "../front-door/front-end.js";
import { openTelemetry, type RunningTelemetry } from "./telemetry-setup.js";
import { startDraining } from "../front-door/health.js";
import { ServiceSupervisor } from "../service/services.js";
import { fatalFailure, startupOutput, writePidFile, type PidFile } from "./lifecycle-files.js";
import { openLogs, type OpenLogs } from "../log/log-files.js";
import { prepareProcess, StartupError } from "./process-setup.js";
import { handleRestartSignals } from "./restart-signals.js";
import { shutdownDelay } from "./shutdown-delay.js";
import { waitForStopSignal, type StopSignal } from "./stop-signal.js";
import { tuneHeap } from "./heap-tuning.js";
import { createHttpsListener, listenHttps, type HttpsListener } from "./https-listener.js";
import { isWsgiExpressError } from "../errors.js";
import { boundPortEnvironment, withEnvironment } from "./bound-ports.js";

/** Serves until a stop signal; resolves with the process exit status. */
export async function runServer(config: ServerConfig, io: CliIo): Promise<number> {
  tuneHeap();
  const refused = await prepareRoot(config, io);
  if (refused !== null) return refused;
  const logs = await openLogs(config, io);
  const errorLog = new ErrorLog(
    logs.error,
    config.logging.logLevel,
    undefined,
    config.logging.errorLogFormat,
  );
  const opened = await openListeners(config, io, errorLog, logs);
  if (typeof opened === "number") {
    await logs.close();
    return opened;
  }
  const { server, https, pool, telemetry } = opened;
  let pidFile: PidFile;
  try {
    pidFile = await writePidFile(config.pidFile);
  } catch (error) {
    const why = `cannot write '${config.pidFile}' (${(error as Error).message})`;
    await startupError(config, io, `--pid-file: ${why}`);
    server.close();
    https?.server.close();
    https?.stop();
    await telemetry?.close();
    await logs.close();
    return 1;
  }
  try {
    return await serve(config, io, { server, https, pool, telemetry, logs, errorLog, pidFile });
  } catch (error) {
    // A failure no step expected must not leave the process listening for ever: what
    // keeps it alive is closed, then main reports it as an internal error.
    server.closeAllConnections();
    server.close();
    https?.server.closeAllConnections();
    https?.server.close();
    https?.stop();
    pool.kill();
    await telemetry?.close();
    await pidFile.remove();
    await logs.close();
    throw error;
  }
}

/** The socket directory and the process's own settings (user, limits); the exit status
 *  when either fails, else null. */
async function prepareRoot(config: ServerConfig, io: CliIo): Promise<number | null> {
  try {
    await makeSocketDirectory(config.socketDirectory);
  } catch (error) {
    // Under the server root (made already) unless --socket-prefix moved it.
    const option =
      dirname(config.socketDirectory) === config.serverRoot ? "--server-root" : "--socket-prefix";
    const why = `cannot make the socket directory '${config.socketDirectory}' (${(error as Error).message})`;
    await startupError(config, io, `${option}: ${why}`);
    return 1;
  }
  try {
    await prepareProcess(config);
  } catch (error) {
    if (!(error instanceof StartupError)) throw error;
    await startupError(config, io, error.message);
    return 1;
  }
  return null;
}

interface Listening {
  readonly server: Server;
  readonly https: HttpsListener | null;
  readonly pool: SupervisedDaemonPool;
  readonly telemetry: RunningTelemetry | null;
}

/** The front end on its listeners (HTTP, and HTTPS with --https-port), with the daemon
 *  pool behind it; the exit status when a certificate or a port cannot serve. */
async function openListeners(
  config: ServerConfig,
  io: CliIo,
  errorLog: ErrorLog,
  logs: OpenLogs,
): Promise<Listening | number> {
  const accessLog = logs.access ? new AccessLog(logs.access, config.logging.accessLogFormat) : null;
  let https: HttpsListener | null;
  try {
    https = createHttpsListener(config, errorLog);
  } catch (error) {
    if (!isWsgiExpressError(error)) throw error;
    await startupError(config, io, error.message);
    return error.exitCode;
  }
  const pool = new SupervisedDaemonPool(config, errorLog);
  let telemetry: RunningTelemetry | null;
  try {
    telemetry = await openTelemetry(config, pool, errorLog);
  } catch (error) {
    https?.stop();
    if (!isWsgiExpressError(error)) throw error;
    await startupError(config, io, error.message);
    return error.exitCode;
  }
  const server = createFrontEnd(config, pool, errorLog, accessLog, https, telemetry?.telemetry);
  let port = config.listen.port;
  try {
    await listen(server, config);
    if (https) {
      port = https.server.address() === null ? (config.tls?.port ?? 0) : port;
      await listenHttps(https, config);
    }
  } catch (error) {
    server.close();
    https?.stop();
    await telemetry?.close();
    const where = `${config.listen.host ?? "*"}:${port}`;
    await startupError(config, io, `cannot listen on ${where}: ${(error as Error).message}`);
    return 1;
  }
  return { server, https, pool, telemetry };
}

interface Running extends Listening {
  readonly logs: OpenLogs;
  readonly errorLog: ErrorLog;
  readonly pidFile: PidFile;
}

/** Starts the daemons and services, then serves until a stop signal or a fatal failure. */
async function serve(config: ServerConfig, io: CliIo, running: Running): Promise<number> {
  const { server, https, pool, logs, errorLog, pidFile } = running;
  const stop = waitForStopSignal();
  const fatal = fatalFailure();
  pool.onFatal = fatal.fail;
  const port = (server.address() as AddressInfo).port;
  const bound = boundPortEnvironment(port, https && https.site.boundPort);
  const services = new ServiceSupervisor(withEnvironment(config, bound), errorLog, fatal.fail);
  const stopRestarts = handleRestartSignals((signal) => {
    // Apache re-reads its certificates at any restart: a renewed one takes effect.
    https?.reload();
    pool.restartSignal(signal);
  });
  await pool.start(bound);
  await services.start();
  await startupOutput(
    config,
    io.stdout,
    formatBanner(config, {
      port,
      httpsUrl: https && `https://${config.listen.serverName}:${https.site.boundPort}/`,
      telemetryUrl: running.telemetry?.uiUrl ?? null,
      errorLog: logs.errorPath,
      accessLog: logs.accessPath,
      app: pool.appStatus,
      python: pool.python,
    }),
  );
  errorLog.notice(`wsgi-express serving on port ${port} (pid ${process.pid})`);
  for (const warning of rootWarnings(config, process.getuid?.())) errorLog.warn(warning);
  const signal = await Promise.race([stop.signalled, fatal.failed]);
  if (fatal.message === null) errorLog.notice(`caught ${signal}, shutting down`);
  else {
    errorLog.error(`${fatal.message}; stopping the server`);
    io.stderr.write(`wsgi-express: error: ${fatal.message}; stopping the server\n`);
  }
  await shutDown(config, running, { stop, services, fatal: fatal.message !== null });
  await running.telemetry?.close();
  await pidFile.remove();
  stop.dispose();
  stopRestarts();
  await logs.close();
  return fatal.message === null ? 0 : 1;
}

/** Drains and stops in order: readiness off (and --shutdown-delay), the listeners with
 *  their requests in flight, then the daemons and services; bounded as a whole. */
async function shutDown(
  config: ServerConfig,
  { server, https, pool, errorLog }: Running,
  how: { stop: StopSignal; services: ServiceSupervisor; fatal: boolean },
): Promise<void> {
  const { stop, services } = how;
  void stop.forced.then(() => {
    errorLog.notice("caught a second stop signal: killing the daemon processes");
    pool.kill();
  });
  // Readiness answers 503 from now on; the listeners stay open --shutdown-delay seconds.
  startDraining(server);
  if (!how.fatal) await shutdownDelay(config.health.shutdownDelay, stop.forced);
  const closing = [server, ...(https ? [https.server] : [])].map((listener) =>
    closeServer(listener, config.daemons.shutdownTimeout, stop.forced),
  );
  https?.stop();
  const orderly = Promise.all(closing).then(() => Promise.all([pool.stop(), services.stop()]));
  // Each step has its own timeout; this bounds the whole, so that a step that never
  // settles (seen once, not yet explained) cannot keep the server from exiting.
  const deadline = (config.daemons.shutdownTimeout * 2 + SHUTDOWN_SLACK_SECONDS) * 1000;
  if (!(await settlesWithin(orderly, deadline))) {
    errorLog.error(`shutdown did not finish within ${deadline / 1000}s; killing what is left`);
    server.closeAllConnections();
    https?.server.closeAllConnections();
    pool.kill();
  }
}

/** A start-up failure's one error line, on stderr and in the startup log. */
async function startupError(config: ServerConfig, io: CliIo, message: string): Promise<void> {
  await startupOutput(config, io.stderr, `wsgi-express: error: ${message}\n`);
}

async function makeSocketDirectory(path: string): Promise<void> {
  makeDirectories(path, 0o700);
  // mkdir's mode is filtered by the umask and ignored for an existing directory.
  await chmod(path, 0o700);
}

/** Beyond twice --shutdown-timeout (connections, then daemons), the last resort. */
const SHUTDOWN_SLACK_SECONDS = 5;

/** True when `work` settles within `ms`; false when the time ran out first. */
function settlesWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      resolve(false);
    }, ms);
    void work.then(
      () => {
        clearTimeout(timer);
        resolve(true);
      },
      () => {
        clearTimeout(timer);
        resolve(true);
      },
    );
  });
}

function listen(server: Server, config: ServerConfig): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    const options = { port: config.listen.port, backlog: config.listen.backlog };
    server.listen(config.listen.host ? { ...options, host: config.listen.host } : options, () => {
      server.off("error", reject);
      resolve();
    });
  });
}

/** Stops accepting, lets in-flight requests finish, cuts what is left at the deadline or
 *  on a second signal. Idle keep-alive connections close at once. */
function closeServer(server: Server, timeoutSeconds: number, forced: Promise<void>): Promise<void> {
  return new Promise((resolve) => {
    const cut = (): void => {
      server.closeAllConnections();
    };
    const timer = setTimeout(cut, timeoutSeconds * 1000);
    void forced.then(cut);
    server.close(() => {
      clearTimeout(timer);
      resolve();
    });
    server.closeIdleConnections();
  });
}
