/**
 * One embedded worker process (a cluster worker): Python started in it through the
 * addon, the front end's own front door over an EmbeddedPool, listening on the
 * socket the primary shares. It stops gracefully on SIGTERM/SIGINT or the primary's
 * "stop": no new connections, the requests in flight finish (--shutdown-timeout).
 */
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Socket } from "node:net";
import { fileURLToPath } from "node:url";
import type { ServerConfig } from "../config/server-config.js";
import { createFrontEnd } from "../front-door/front-end.js";
import { startDraining } from "../front-door/health.js";
import { AccessLog } from "../http/access-log.js";
import { traffic } from "../http/traffic.js";
import { launchSettings } from "../lifecycle/daemon-launch.js";
import { shutdownDelay } from "../lifecycle/shutdown-delay.js";
import { ErrorLog, type LogSink } from "../log/error-log.js";
import { loadAddon } from "./addon.js";
import { EmbeddedPool } from "./embedded-pool.js";
import { statusOverIpc } from "./status-gather.js";
import {
  WORKER_ACCESS_LOG_FD,
  WORKER_ERROR_LOG_FD,
  type FromWorker,
  type StartReport,
  type ToWorker,
} from "./worker-messages.js";

/** python/ inside this package: the runtime the addon's bootstrap imports. */
const PYTHON_DIR = fileURLToPath(new URL("../../../python", import.meta.url));

export function runWorker(): void {
  process.once("message", (message: ToWorker) => {
    if (message.type === "start") start(message);
  });
  // Messages that arrive before a listener exists are lost: the primary sends "start"
  // only once it hears this.
  send({ type: "listening" });
}

function start(message: Extract<ToWorker, { type: "start" }>): void {
  const { config } = message;
  const errorLog = new ErrorLog(
    fdSink(WORKER_ERROR_LOG_FD),
    config.logging.logLevel,
    undefined,
    config.logging.errorLogFormat,
  );
  const accessLog = config.logging.accessLog
    ? new AccessLog(fdSink(WORKER_ACCESS_LOG_FD), config.logging.accessLogFormat)
    : null;
  const pool = new EmbeddedPool(config, errorLog);
  const server = createFrontEnd(config, pool, errorLog, accessLog, null);
  // The socket first, Python second: with --port 0 only the bound socket tells the port,
  // and the app must find it in MOD_WSGI_HTTP_PORT when it is imported, as daemon mode's
  // daemons (started after the listener) do (lifecycle/bound-ports.ts). This worker
  // accepts nothing meanwhile: its event loop is in Python's start-up until the app is
  // loaded, and the other workers take the connections.
  server.listen(
    {
      port: config.listen.port,
      host: config.listen.host ?? undefined,
      backlog: config.listen.backlog,
    },
    () => {
      const port = (server.address() as AddressInfo).port;
      process.env["MOD_WSGI_HTTP_PORT"] = String(port);
      const report = startPython(message, pool);
      if (report.error !== undefined) {
        server.close();
        send({ type: "failed", message: report.error });
        process.exitCode = 1;
        process.disconnect();
        return;
      }
      pool.onLost = (reason) => {
        errorLog.error(`embedded Python lost a request thread (${reason}); stopping this worker`);
        stop(server, pool, config, 0);
      };
      if (config.health.serverStatus) {
        // Whichever worker is asked answers for all of them (status-gather.ts).
        pool.wholeServerStatus = statusOverIpc(process, () => ({
          pool: pool.status(),
          ...traffic,
        }));
      }
      send({ type: "ready", port, app: report.app, python: report.python });
      handleSignals(() => {
        stop(server, pool, config, config.health.shutdownDelay);
      });
    },
  );
}

/** Starts Python through the addon and connects the pool to its threads. */
function startPython(
  message: Extract<ToWorker, { type: "start" }>,
  pool: EmbeddedPool,
): StartReport & { error?: string } {
  const { config } = message;
  try {
    const addon = loadAddon(message.addon);
    const answer = addon.start(
      message.library,
      message.programName,
      PYTHON_DIR,
      settingsFor(config, message.processIndex),
      config.daemons.threads + 1,
      pool.onOutput,
    );
    const report = JSON.parse(answer) as StartReport & { error?: string };
    if (report.error === undefined) {
      // An app that failed to import leaves readiness at 503, as in daemon mode.
      pool.appLoaded = report.app.loaded;
      pool.connect(addon);
    }
    return report;
  } catch (error) {
    return { error: (error as Error).message } as StartReport & { error: string };
  }
}

/** SIGTERM, SIGINT or the primary's "stop": `onStop`, once. A terminal's hangup reaches
 *  the whole process group: the primary decides (and logs) what a restart signal
 *  means; a worker neither dies of SIGHUP (node's default) nor opens the inspector on
 *  SIGUSR1. */
function handleSignals(onStop: () => void): void {
  let stopping = false;
  const once = (): void => {
    if (stopping) return;
    stopping = true;
    onStop();
  };
  process.on("SIGTERM", once);
  process.on("SIGINT", once);
  process.on("SIGHUP", () => undefined);
  process.on("SIGUSR1", () => undefined);
  process.on("message", (next: ToWorker) => {
    if (next.type === "stop") once();
  });
}

/** Readiness answers 503 at once and the listener stays open --shutdown-delay seconds
 *  (lifecycle/shutdown-delay.ts, as in daemon mode); then no new connections, and the
 *  requests in flight finish within --shutdown-timeout; then the Python threads'
 *  channels close and the process exits. Python is not finalised (its threads may
 *  still be in the application): the process ends with them. A second stop signal
 *  reaches the primary, which kills the workers. */
function stop(server: Server, pool: EmbeddedPool, config: ServerConfig, delay: number): void {
  startDraining(server);
  void shutdownDelay(delay, new Promise<void>(() => undefined)).then(() => {
    const exit = (): void => {
      pool.stop();
      process.exit(0);
    };
    const timer = setTimeout(() => {
      server.closeAllConnections();
      exit();
    }, config.daemons.shutdownTimeout * 1000);
    server.close(() => {
      clearTimeout(timer);
      exit();
    });
    server.closeIdleConnections();
  });
}

/** The launch settings the daemon runtime reads (launch.py), for this worker. */
function settingsFor(config: ServerConfig, processIndex: number): string {
  const settings = launchSettings({
    config,
    socketPath: "embedded",
    token: "embedded",
    processIndex,
    bodyFileProbe: null,
    // Not read by the settings: the worker's own environment is the app's.
    environment: {},
  });
  return JSON.stringify({ ...settings, user: null, group: null, displayName: "" });
}

function send(message: FromWorker): void {
  process.send?.(message);
}

/** Whole lines to the primary over an inherited pipe. */
function fdSink(fd: number): LogSink {
  const socket = new Socket({ fd, readable: false, writable: true });
  socket.on("error", () => undefined);
  return { write: (line: string) => socket.write(line) };
}
