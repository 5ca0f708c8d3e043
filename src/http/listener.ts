/**
 * The HTTP/1.1 listener: node:http parses every request, with our limits in place of
 * node's defaults, and the client watches that no parser setting covers (connection
 * caps, head and body read deadlines, stalled readers).
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
import type { ErrorLog } from "../log/error-log.js";
import { guardConnections, refuseConnection } from "./connections.js";
import { SlowClientWatch } from "./read-timeouts.js";
import { connectionEvent } from "./tls.js";
import { FrontEndH2Request } from "./h2-compat.js";

/** Total size of a request head node accepts; beyond it the client gets 431. Large enough
 *  for hundreds of headers (the seed's first bug) and long cookies. */
export const MAX_REQUEST_HEAD = 64 * 1024;

/** The front end's request class (node:http's IncomingMessage option). */
export class FrontEndRequest extends IncomingMessage {
  /** What to do when the body breaks (400) or arrives too slowly (408); false when the
   *  response had already started. Replaced by the exchange once one runs. */
  bodyFailed: (status: number) => boolean = () => false;
}

/** The request's hook for a failed body, HTTP/1.1 or HTTP/2; null for another class. */
export function bodyHook(req: object): { bodyFailed: (status: number) => boolean } | null {
  return req instanceof FrontEndRequest || req instanceof FrontEndH2Request ? req : null;
}

/** Called for every request (an HTTP/2 one through node's compatibility API, which
 *  h2-compat.ts makes handle as an IncomingMessage and a ServerResponse); `expectContinue` when it came with `Expect: 100-continue`
 *  (node leaves the interim response to us). */
export type RequestHandler = (
  req: FrontEndRequest,
  res: ServerResponse,
  expectContinue: boolean,
) => void;

/** Kept on the socket itself: an HTTP/2 request's req.socket is a proxy that reads the
 *  session's socket's properties (a WeakMap keyed by the socket would miss). */
const CONNECTION_ID = Symbol("wsgi-express.connection-id");
type Numbered = Socket & { [CONNECTION_ID]?: string };

/** The connection's number, as mod_wsgi.connection_id gives it ("0" if unknown). */
export function connectionId(socket: Socket): string {
  return (socket as Numbered)[CONNECTION_ID] ?? "0";
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

export function createHttpServer(
  config: ServerConfig,
  errorLog: ErrorLog,
  handle: RequestHandler,
): Server {
  const server = createServer<typeof FrontEndRequest>(serverOptions(config));
  serveRequests(server, config, errorLog, handle);
  return server;
}

let connections = 0;

/** Gives a listener (HTTP, or HTTPS made with serverOptions) the same request handling,
 *  limits and client watches. */
export function serveRequests(
  server: Server,
  config: ServerConfig,
  errorLog: ErrorLog,
  handle: RequestHandler,
): void {
  server.on("request", (req: FrontEndRequest, res: ServerResponse) => {
    handle(req, res, false);
  });
  // 0: no cap on the number of headers (node drops those past 2000 by default);
  // the head's total size is still limited by MAX_REQUEST_HEAD.
  server.maxHeadersCount = 0;
  server.on("checkContinue", (req: FrontEndRequest, res: ServerResponse) => {
    handle(req, res, true);
  });
  // Any other Expect: the request goes the usual way, and intake answers 417 as Apache.
  server.on("checkExpectation", (req: FrontEndRequest, res: ServerResponse) => {
    handle(req, res, false);
  });
  watchClients(
    server,
    config,
    errorLog,
    (req, status) => bodyHook(req)?.bodyFailed(status) ?? false,
  );
  server.on(connectionEvent(server), (socket: Socket) => {
    connections += 1;
    (socket as Numbered)[CONNECTION_ID] = connections.toString(36);
    socket.setNoDelay(true);
  });
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
    onWriteStall: (target) => {
      errorLog.info("client read nothing of its response for --response-socket-timeout; cut off");
      target.destroy();
    },
  });
  watch.attach(server);
  server.once("close", () => {
    watch.stop();
  });
}
