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
import { AccessLog } from "../http/access-log.js";
import { launchSettings } from "../lifecycle/daemon-launch.js";
import { ErrorLog, type LogSink } from "../log/error-log.js";
import { loadAddon } from "./addon.js";
import { EmbeddedPool } from "./embedded-pool.js";
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
  const errorLog = new ErrorLog(fdSink(WORKER_ERROR_LOG_FD), config.logging.logLevel);
  const accessLog = config.logging.accessLog
    ? new AccessLog(fdSink(WORKER_ACCESS_LOG_FD), config.logging.accessLogFormat)
    : null;
  const pool = new EmbeddedPool(config, errorLog);
  let report: StartReport & { error?: string };
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
    report = JSON.parse(answer) as StartReport & { error?: string };
    if (report.error === undefined) pool.connect(addon);
  } catch (error) {
    report = { error: (error as Error).message } as StartReport & { error: string };
  }
  if (report.error !== undefined) {
    send({ type: "failed", message: report.error });
    process.exitCode = 1;
    process.disconnect();
    return;
  }
  pool.onLost = (reason) => {
    errorLog.error(`embedded Python lost a request thread (${reason}); stopping this worker`);
    stop(server, pool, config);
  };
  const server = createFrontEnd(config, pool, errorLog, accessLog, null);
  const ready = report;
  server.listen(
    {
      port: config.listen.port,
      host: config.listen.host ?? undefined,
      backlog: config.listen.backlog,
    },
    () => {
      const port = (server.address() as AddressInfo).port;
      send({ type: "ready", port, app: ready.app, python: ready.python });
    },
  );
  handleSignals(() => {
    stop(server, pool, config);
  });
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

/** No new connections; the requests in flight finish within --shutdown-timeout; then
 *  the Python threads' channels close and the process exits. Python is not finalised
 *  (its threads may still be in the application): the process ends with them. */
function stop(server: Server, pool: EmbeddedPool, config: ServerConfig): void {
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
