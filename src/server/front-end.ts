/**
 * The HTTP side: node:http parses every request; this applies the limits that are
 * answered without Python, builds the environ, and hands the request to the pool.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { ServerConfig } from "../config/server-config.js";
import type { DaemonPool } from "../daemon/pool.js";
import type { ErrorLog } from "../log/error-log.js";
import type { AccessLog } from "./access-log.js";
import {
  buildEnviron,
  decodePath,
  plainAddress,
  splitMount,
  splitTarget,
  type EnvironSettings,
} from "./environ.js";
import { Exchange, type ExchangeContext } from "./exchange.js";
import { Site } from "../static/site.js";
import { sendError } from "./error-pages.js";

/** Total size of a request head node accepts; beyond it the client gets 431. Large enough
 *  for hundreds of headers (the seed's first bug) and long cookies. */
export const MAX_REQUEST_HEAD = 64 * 1024;

export const SERVER_SOFTWARE = "wsgi-express";

const connectionIds = new WeakMap<Socket, string>();

export function createFrontEnd(
  config: ServerConfig,
  pool: DaemonPool,
  errorLog: ErrorLog,
  accessLog: AccessLog | null,
): Server {
  const settings = environSettings(config);
  const site = new Site(
    config,
    (message) => {
      errorLog.error(message);
    },
    (res, status, document) => {
      // An --error-document page served by the app: an internal GET for it.
      requests += 1;
      toApp(res.req, res, false, requests.toString(36), Date.now() / 1000, { status, document });
    },
  );
  const context: ExchangeContext = {
    release: (channel) => {
      pool.release(channel);
    },
    abort: (pid, id) => {
      pool.abort(pid, id);
    },
    timedOut: (channel, id) => {
      pool.timedOut(channel, id);
    },
    requestTimeoutMs: config.daemons.requestTimeout * 1000,
    socketTimeoutMs: config.daemons.socketTimeout * 1000,
    logError: (message) => {
      errorLog.error(message);
    },
    now: () => performance.now(),
    limitRequestBody: config.http.limitRequestBody,
    keepAlive: config.http.keepAliveTimeout > 0,
    headerBufferSize: config.http.headerBufferSize,
    sendError: site.sendError,
    errorOverride: config.site.errorOverride,
    compressResponses: config.site.compressResponses,
  };
  let requests = 0;
  let connections = 0;
  const handle = (req: IncomingMessage, res: ServerResponse, expectContinue: boolean): void => {
    requests += 1;
    const requestStart = Date.now() / 1000;
    accessLog?.watch(req, res);
    const refusal = refuse(req, config);
    if (refusal !== null) {
      site.sendError(res, refusal, { close: true });
      return;
    }
    const id = requests.toString(36);
    // Host check, URL aliases, document root (src/static/); the rest is the app's.
    void site.answer(req, res).then(
      (answered) => {
        if (!answered && !req.socket.destroyed) toApp(req, res, expectContinue, id, requestStart);
      },
      (error: unknown) => {
        errorLog.error(`static files: ${String(error)}`);
        site.sendError(res, 500);
      },
    );
  };

  const toApp = (
    req: IncomingMessage,
    res: ServerResponse,
    expectContinue: boolean,
    id: string,
    requestStart: number,
    internal: { status: number; document: string } | null = null,
  ): void => {
    const target = splitTarget(internal?.document ?? req.url ?? "/");
    const mount = splitMount(decodePath(target.path), config.application.mountPoint);
    if (mount === null) {
      if (internal === null) site.sendError(res, 404);
      else sendError(res, internal.status);
      return;
    }
    const socket = req.socket;
    const environ = buildEnviron(
      {
        method: internal === null ? (req.method ?? "GET") : "GET",
        target: internal?.document ?? req.url ?? "/",
        httpVersion: req.httpVersion,
        rawHeaders: req.rawHeaders,
        remoteAddress: plainAddress(socket.remoteAddress),
        remotePort: socket.remotePort ?? 0,
        localAddress: plainAddress(socket.localAddress),
        localPort: socket.localPort ?? 0,
        scheme: "http",
        requestId: id,
        connectionId: connectionIds.get(socket) ?? "0",
      },
      settings,
      mount,
      target.query,
      target.uri,
    );
    // --map-head-to-get (resolved with its Auto rule); the client still gets no body.
    if (config.site.mapHeadToGet && environ.REQUEST_METHOD === "HEAD") {
      environ.REQUEST_METHOD = "GET";
    }
    // Apache's internal redirect to an ErrorDocument: the page learns what failed.
    if (internal !== null) {
      environ.REDIRECT_STATUS = String(internal.status);
      environ.REDIRECT_URL = splitTarget(req.url ?? "/").path;
      environ.REDIRECT_REQUEST_METHOD = req.method ?? "GET";
    }
    const ctx = internal === null ? context : { ...context, errorPageFor: internal.status };
    const exchange = new Exchange(req, res, id, environ, requestStart, expectContinue, ctx);
    pool.dispatch(exchange);
  };

  const server = createServer(
    {
      maxHeaderSize: MAX_REQUEST_HEAD,
      keepAliveTimeout: config.http.keepAliveTimeout * 1000,
      // Body read deadlines are ours to apply per phase; node's whole-request timer
      // would cut a legitimate large upload on a slow link.
      requestTimeout: 0,
    },
    (req, res) => {
      handle(req, res, false);
    },
  );
  // 0: no cap on the number of headers (node drops those past 2000 by default);
  // the head's total size is still limited by MAX_REQUEST_HEAD.
  server.maxHeadersCount = 0;
  server.on("checkContinue", (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res, true);
  });
  server.on("connection", (socket: Socket) => {
    connections += 1;
    connectionIds.set(socket, connections.toString(36));
    socket.setNoDelay(true);
  });
  return server;
}

/** Requests answered by the front end alone, before any daemon is involved. */
function refuse(req: IncomingMessage, config: ServerConfig): number | null {
  const chunked = req.headers["transfer-encoding"] !== undefined;
  // mod_wsgi refuses chunked request bodies unless --chunked-request (411 Length Required).
  if (chunked && !config.http.chunkedRequest) return 411;
  const limit = config.http.limitRequestBody;
  const length = req.headers["content-length"];
  if (limit > 0 && length !== undefined && Number(length) > limit) return 413;
  return null;
}

function environSettings(config: ServerConfig): EnvironSettings {
  const { application, listen } = config;
  return {
    mountPoint: application.mountPoint,
    serverName: listen.serverName,
    serverSoftware: SERVER_SOFTWARE,
    documentRoot: config.site.documentRoot,
    scriptFilename: application.type === "script" ? (application.entryPoint ?? "") : "",
    processGroup: application.processGroup,
    applicationGroup: application.applicationGroup,
    callableObject: application.callableObject,
    listenerHost: listen.host ?? "",
    requestEnviron: config.requestEnviron,
  };
}
