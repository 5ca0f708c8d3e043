/**
 * The HTTP side: node:http parses every request; this applies the limits that are
 * answered without Python, builds the environ, and hands the request to the pool.
 */
import {
  createServer,
  IncomingMessage,
  type Server,
  type ServerOptions,
  type ServerResponse,
} from "node:http";
import type { Socket } from "node:net";
import type { ServerConfig } from "../config/server-config.js";
import type { DaemonPool } from "../daemon/pool.js";
import type { ErrorLog } from "../log/error-log.js";
import type { AccessLog } from "../http/access-log.js";
import {
  buildEnviron,
  environBase,
  type EnvironBase,
  splitMount,
  type EnvironSettings,
} from "../exchange/environ.js";
import { decodePath, plainAddress, splitTarget } from "../http/request-target.js";
import { Exchange, type ExchangeContext } from "../exchange/exchange.js";
import { Admission } from "../exchange/admission.js";
import {
  guardConnections,
  isClosing,
  markClosing,
  refuseConnection,
  trackResponse,
} from "../http/connections.js";
import { applyProxyTrust, proxyTrust } from "../http/proxy-trust.js";
import { SlowClientWatch } from "../http/read-timeouts.js";
import { readBody, shouldPrebuffer } from "../buffering/request-body.js";
import { RequestSpooler, SpoolRefusal, type SpooledBody } from "../buffering/request-spool.js";
import { SpoolBudget } from "../buffering/spool-budget.js";
import { SpoolFiles } from "../buffering/spool-files.js";
import { ResponseMemory } from "../buffering/response-memory.js";
import { absoluteAuthority, checkRequest, withHost } from "../http/request-guards.js";
import { Site } from "../static/site.js";
import { sendError } from "../http/error-pages.js";
import { connectionEvent, isTlsSocket } from "../http/tls.js";
import type { SecureSite } from "./secure-site.js";

/** Total size of a request head node accepts; beyond it the client gets 431. Large enough
 *  for hundreds of headers (the seed's first bug) and long cookies. */
export const MAX_REQUEST_HEAD = 64 * 1024;

export const SERVER_SOFTWARE = "wsgi-express";

const connectionIds = new WeakMap<Socket, string>();

/** The front end's request class (node:http's IncomingMessage option). */
export class FrontEndRequest extends IncomingMessage {
  /** What to do when the body breaks (400) or arrives too slowly (408); false when the
   *  response had already started. Replaced by the exchange once one runs. */
  bodyFailed: (status: number) => boolean = () => false;
}

export function createFrontEnd(
  config: ServerConfig,
  pool: DaemonPool,
  errorLog: ErrorLog,
  accessLog: AccessLog | null,
  /** The HTTPS listener (an https.Server) and its rules, served by the same handling. */
  https: { server: Server; site: SecureSite } | null = null,
): Server {
  const settings = environSettings(config);
  /** One environ base per listening port (its mod_wsgi.listener_port differs). */
  const bases = new Map<number, EnvironBase>();
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
    withdraw: (channel) => {
      pool.withdraw(channel);
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
    responseBufferSize: config.clients.responseBufferSize,
    responseMemory: new ResponseMemory(config.clients.responseMemorySize),
    responseSpool: {
      files: new SpoolFiles(config.http.responseSpoolDirectory),
      budget: new SpoolBudget(config.http.responseSpoolSize),
      warn: (message) => {
        errorLog.warn(message);
      },
    },
    sendError: site.sendError,
    errorOverride: config.site.errorOverride,
    compressResponses: config.site.compressResponses,
  };
  let requests = 0;
  let connections = 0;
  const trust = proxyTrust(config.proxy.headers, config.proxy.proxies);
  const admission = new Admission(config.clients.maxClients);
  const spooler = new RequestSpooler({
    files: new SpoolFiles(config.http.bodySpoolDirectory),
    budget: new SpoolBudget(config.http.bodySpoolSize),
    limitRequestBody: config.http.limitRequestBody,
    warn: (message) => {
      errorLog.warn(message);
    },
  });
  const handle = (req: FrontEndRequest, res: ServerResponse, expectContinue: boolean): void => {
    requests += 1;
    const requestStart = Date.now() / 1000;
    accessLog?.watch(req, res);
    trackResponse(req, res);
    // Pipelined after a request that was refused and closes the connection: never served.
    if (isClosing(req.socket)) return;
    const refusal = checkRequest(req) ?? refuse(req, config);
    if (refusal !== null) {
      markClosing(req.socket);
      site.sendError(res, refusal, { close: true });
      return;
    }
    req.bodyFailed = (status) => {
      errorLog.info(`request ${req.url ?? ""}: request body failed (${status})`);
      markClosing(req.socket);
      if (res.headersSent) return false;
      site.sendError(res, status, { close: true });
      return true;
    };
    const id = requests.toString(36);
    // HTTPS rules, host check, URL aliases, document root (src/static/); the rest is the app's.
    const answered =
      https === null
        ? site.answer(req, res)
        : https.site
            .answer(req, res, site.sendError)
            .then(async (done) => done || site.answer(req, res));
    void answered.then(
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
    const path = decodePath(target.path);
    // An encoded NUL (%00) in the path is a 404, as Apache answers before any handler.
    const mount = path.includes("\0") ? null : splitMount(path, config.application.mountPoint);
    if (mount === null) {
      if (internal === null) site.sendError(res, 404);
      else sendError(res, internal.status);
      return;
    }
    const socket = req.socket;
    const localPort = socket.localPort ?? 0;
    let base = bases.get(localPort);
    if (base === undefined) {
      base = environBase(bases.size + 1, settings, localPort, isTlsSocket(socket));
      bases.set(localPort, base);
    }
    const environ = buildEnviron(
      {
        method: internal === null ? (req.method ?? "GET") : "GET",
        target: internal?.document ?? req.url ?? "/",
        httpVersion: req.httpVersion,
        // Absolute-form (GET http://host/path): its authority is the Host (RFC 9112 §3.2.2).
        rawHeaders: withAuthority(req),
        remoteAddress: plainAddress(socket.remoteAddress),
        remotePort: socket.remotePort ?? 0,
        localAddress: plainAddress(socket.localAddress),
        localPort,
        requestId: id,
        connectionId: connectionIds.get(socket) ?? "0",
      },
      settings,
      base,
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
    https?.site.environ(socket, environ);
    applyProxyTrust(environ, trust, environ.REMOTE_ADDR ?? "");
    const start = (body: Buffer | SpooledBody | null): void => {
      admission.admit(res, (leave) => {
        if (res.writableEnded || req.socket.destroyed) return;
        const exchange = new Exchange(
          req,
          res,
          id,
          environ,
          requestStart,
          expectContinue,
          ctx,
          leave,
        );
        if (body) exchange.preload(body);
        if (req instanceof FrontEndRequest) {
          req.bodyFailed = (status) => exchange.clientBodyFailed(status);
        }
        pool.dispatch(exchange);
      });
    };
    if (internal !== null) {
      start(null);
    } else if (shouldPrebuffer(req, expectContinue)) {
      readBody(req).then(start, () => undefined);
    } else if (spooler.wants(req, expectContinue)) {
      spooler.spool(req).then(
        (spooled) => {
          // Whether it ran or not, the file goes back once the response is over (or
          // later, once a daemon thread reading it is done: SpooledBody.lend).
          if (res.closed) spooled?.dispose();
          else res.once("close", () => spooled?.dispose());
          start(spooled);
        },
        (error: unknown) => {
          if (!(error instanceof SpoolRefusal)) return;
          markClosing(req.socket);
          site.sendError(res, error.status, { close: true });
        },
      );
    } else {
      start(null);
    }
  };

  const server = createServer<typeof FrontEndRequest>(serverOptions(config));
  for (const listener of https === null ? [server] : [server, https.server]) {
    listener.on("request", (req: FrontEndRequest, res: ServerResponse) => {
      handle(req, res, false);
    });
    // 0: no cap on the number of headers (node drops those past 2000 by default);
    // the head's total size is still limited by MAX_REQUEST_HEAD.
    listener.maxHeadersCount = 0;
    listener.on("checkContinue", (req: FrontEndRequest, res: ServerResponse) => {
      handle(req, res, true);
    });
    watchClients(listener, config, errorLog, (req, status) =>
      req instanceof FrontEndRequest ? req.bodyFailed(status) : false,
    );
    listener.on(connectionEvent(listener), (socket: Socket) => {
      connections += 1;
      connectionIds.set(socket, connections.toString(36));
      socket.setNoDelay(true);
    });
  }
  return server;
}

/** node:http's options for a listener, HTTP or HTTPS (https.createServer takes them too). */
export function serverOptions(config: ServerConfig): ServerOptions<typeof FrontEndRequest> {
  return {
    IncomingMessage: FrontEndRequest,
    maxHeaderSize: MAX_REQUEST_HEAD,
    keepAliveTimeout: config.http.keepAliveTimeout * 1000,
    // Body read deadlines are ours to apply per phase; node's whole-request timer
    // would cut a legitimate large upload on a slow link.
    requestTimeout: 0,
    // Host rules are checked by request-guards.ts, answered like the other refusals.
    requireHostHeader: false,
    // Head deadlines are read-timeouts.ts's; node's own stays as a late backstop.
    headersTimeout:
      (Math.max(60, config.clients.header.max, config.clients.header.timeout) + 5) * 1000,
  };
}

/** Parse errors, connection caps, head/body read timeouts and stalled readers. */
function watchClients(
  server: Server,
  config: ServerConfig,
  errorLog: ErrorLog,
  onBodyError: (req: IncomingMessage, status: number) => boolean,
): void {
  let lastLimitLog = 0;
  const onceInAWhile = (message: string): void => {
    // One line per burst, not one per refused connection.
    if (Date.now() - lastLimitLog < 10_000) return;
    lastLimitLog = Date.now();
    errorLog.error(message);
  };
  guardConnections(
    server,
    config.clients.maxConnections,
    (cap) => {
      onceInAWhile(
        `${cap} client connections open (the cap from the descriptor limit); refusing more`,
      );
    },
    onBodyError,
  );
  // accept() failing (EMFILE, ENFILE) must not take the server down: log and go on.
  server.on("error", (error: NodeJS.ErrnoException) => {
    if (error.syscall === "accept") onceInAWhile(`cannot accept connections: ${error.message}`);
  });
  const watch = new SlowClientWatch(config.clients, {
    onHeaderTimeout: (socket, partial) => {
      refuseConnection(socket, partial ? 408 : null);
    },
    onBodyTimeout: (req) => {
      if (!onBodyError(req, 408)) refuseConnection(req.socket, null);
    },
    onWriteStall: (socket) => {
      errorLog.info("client read nothing of its response for --response-socket-timeout; cut off");
      socket.destroy();
    },
  });
  watch.attach(server);
  server.once("close", () => {
    watch.stop();
  });
}

function withAuthority(req: IncomingMessage): readonly string[] {
  const authority = absoluteAuthority(req.url ?? "/");
  return authority === null ? req.rawHeaders : withHost(req.rawHeaders, authority);
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
