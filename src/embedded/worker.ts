/**
 * One embedded worker process (a cluster worker): Python started in it through the
 * addon, the front end's own front door over an EmbeddedPool, listening on the
 * socket the primary shares. It stops gracefully on SIGTERM/SIGINT or the primary's
 * "stop" (the requests in flight get --shutdown-timeout), and on the primary's "drain"
 * once its replacement is ready (server-drain.ts); it asks the primary for that
 * replacement when a recycle rule fires (recycle-watch.ts). Python is finalised as the
 * worker exits, so the application's atexit handlers run.
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
import { tuneHeap } from "../lifecycle/heap-tuning.js";
import { REASON_OPTION } from "../lifecycle/recycle-policy.js";
import { shutdownDelay } from "../lifecycle/shutdown-delay.js";
import { ErrorLog, type LogSink } from "../log/error-log.js";
import { systemTimers } from "../process/timers.js";
import { loadAddon, type EmbeddedAddon } from "./addon.js";
import { EmbeddedPool } from "./embedded-pool.js";
import { processUsage, RecycleWatch } from "./recycle-watch.js";
import { ServerDrain } from "./server-drain.js";
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
  // A worker is a front end too: the same V8 heap settings (lifecycle/heap-tuning.ts).
  tuneHeap();
  process.once("message", (message: ToWorker) => {
    if (message.type === "start") start(message);
  });
  // Messages that arrive before a listener exists are lost: the primary sends "start"
  // only once it hears this.
  send({ type: "listening" });
}

type StartMessage = Extract<ToWorker, { type: "start" }>;

function start(message: StartMessage): void {
  const { config } = message;
  const errorLog = new ErrorLog(
    fdSink(WORKER_ERROR_LOG_FD),
    config.logging.logLevel,
    undefined,
    config.logging.errorLogFormat,
  );
  const pool = new EmbeddedPool(config, errorLog);
  // The app finds its port in MOD_WSGI_HTTP_PORT when it is imported, as daemon mode's
  // daemons do (lifecycle/bound-ports.ts): with --port 0 the primary fixed the port
  // before forking (listen-port.ts), so it is known before the socket is.
  if (config.listen.port !== 0) process.env["MOD_WSGI_HTTP_PORT"] = String(config.listen.port);
  const python = startPython(message, pool);
  if ("error" in python) {
    send({ type: "failed", message: python.error });
    process.exitCode = 1;
    process.disconnect();
    return;
  }
  serve(config, pool, python, errorLog);
}

/** Python started through the addon, the application loaded, the pool connected. */
function startPython(
  message: StartMessage,
  pool: EmbeddedPool,
): { addon: EmbeddedAddon; report: StartReport } | { error: string } {
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
    if (report.error !== undefined) return { error: report.error };
    // An app that failed to import leaves readiness at 503, as in daemon mode.
    pool.appLoaded = report.app.loaded;
    pool.connect(addon);
    return { addon, report };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

/** The front end on the shared socket, its drain, and the recycle rules. */
function serve(
  config: ServerConfig,
  pool: EmbeddedPool,
  python: { addon: EmbeddedAddon; report: StartReport },
  errorLog: ErrorLog,
): void {
  const accessLog = config.logging.accessLog
    ? new AccessLog(fdSink(WORKER_ACCESS_LOG_FD), config.logging.accessLogFormat)
    : null;
  const server = createFrontEnd(config, pool, errorLog, accessLog, null);
  const shutdownMs = config.daemons.shutdownTimeout * 1000;
  const recycling = new RecycleWatch(config, pool.activity, processUsage, systemTimers, (why) => {
    errorLog.info(`embedded worker ${process.pid} is due for replacement (${explain(why)})`);
    send({ type: "recycle", reason: why });
  });
  const drain = new ServerDrain(server, systemTimers, config.http.http2, () => {
    recycling.stop();
    exit(pool, python.addon, errorLog);
  });
  pool.events = poolEvents(recycling);
  pool.onLost = (reason) => {
    errorLog.error(`embedded Python lost a request thread (${reason}); stopping this worker`);
    drain.close(shutdownMs, true);
  };
  if (config.health.serverStatus) {
    // Whichever worker is asked answers for all of them (status-gather.ts).
    pool.wholeServerStatus = statusOverIpc(process, () => ({ pool: pool.status(), ...traffic }));
  }
  listen(server, config, () => {
    const bound = (server.address() as AddressInfo).port;
    send({ type: "ready", port: bound, app: python.report.app, python: python.report.python });
    recycling.start();
  });
  handleSignals({
    stop: () => {
      if (!drain.draining) pool.stopping("shutdown_signal");
      // Readiness answers 503 at once, and the listener stays open --shutdown-delay
      // seconds (lifecycle/shutdown-delay.ts, as in daemon mode) before the drain.
      startDraining(server);
      void shutdownDelay(config.health.shutdownDelay, NEVER).then(() => {
        drain.close(shutdownMs, true);
      });
    },
    drain: (reason, withinMs) => {
      recycling.stop();
      pool.stopping(reason);
      drain.close(withinMs, false);
    },
    // mod_wsgi: SIGUSR1 sent to one daemon replaces it gracefully (reference §2.4).
    evict: () => {
      recycling.ask("graceful_signal");
    },
  });
}

/** What the pool tells the recycle rules: requests ended, a recycle asked for by the
 *  Python side (--reload-on-changes), a thread past its --request-timeout. */
function poolEvents(recycling: RecycleWatch): EmbeddedPool["events"] {
  return {
    afterRequest: () => {
      recycling.afterRequest();
    },
    recycle: (why) => {
      recycling.ask(why);
    },
    timedOut: (channel) => {
      recycling.timedOut(channel);
    },
  };
}

/** Listens on the shared socket; a worker that cannot exits, saying why. */
function listen(server: Server, config: ServerConfig, onListening: () => void): void {
  const unlistened = (error: Error): void => {
    send({ type: "failed", message: `cannot listen: ${error.message}` });
    process.exit(1);
  };
  server.once("error", unlistened);
  const { host, port, backlog } = config.listen;
  server.listen({ port, host: host ?? undefined, backlog }, () => {
    server.off("error", unlistened);
    onListening();
  });
}

/** A promise that never settles: nothing cuts --shutdown-delay short in a worker (the
 *  primary kills it on a second stop signal). */
const NEVER = new Promise<void>(() => undefined);

function explain(reason: string): string {
  return REASON_OPTION[reason] ?? reason;
}

/** SIGTERM, SIGINT or the primary's "stop" stop the worker (--shutdown-timeout); the
 *  primary's "drain" lets it finish its connections; SIGUSR1 asks for a replacement.
 *  A terminal's hangup reaches the whole process group: the primary decides what a
 *  server's restart signal means, and a worker does not die of SIGHUP (node's
 *  default); nor does SIGUSR1 open node's inspector. */
function handleSignals(on: {
  stop: () => void;
  drain: (reason: string, withinMs: number) => void;
  evict: () => void;
}): void {
  process.on("SIGTERM", on.stop);
  process.on("SIGINT", on.stop);
  process.on("SIGHUP", () => undefined);
  process.on("SIGUSR1", on.evict);
  process.on("message", (next: ToWorker) => {
    if (next.type === "stop") on.stop();
    else if (next.type === "drain") on.drain(next.reason, next.withinMs);
  });
}

/** Every connection has ended (or was cut at the deadline): the Python threads'
 *  channels close (an idle thread returns; one still in the application is left
 *  there), Python is finalised so that atexit handlers run, and the process exits. */
function exit(pool: EmbeddedPool, addon: EmbeddedAddon, errorLog: ErrorLog): void {
  pool.stop();
  try {
    addon.finalize();
  } catch (error) {
    errorLog.error(`embedded Python could not be finalised: ${(error as Error).message}`);
  }
  process.exit(0);
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
