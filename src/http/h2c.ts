/**
 * h2c: HTTP/2 over plain TCP on the HTTP port under --http2, as Apache's
 * `Protocols h2 h2c http/1.1` (which mod_wsgi-express's --http2 writes) serves it.
 *
 * Prior knowledge (RFC 9113 §3.3): a client that knows the server speaks HTTP/2 opens
 * with the connection preface `PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n`. node:http cannot hand a
 * connection over once its parser has it, so the first bytes of each connection are
 * read before node:http sees it: a connection that opens with the preface goes to an
 * http2 server (the same request handler, limits and session watches as h2 over TLS);
 * any other goes to node:http with its bytes put back, and every request after the
 * first is parsed natively as before. The cost is one read through the stream API per
 * connection, none per request.
 *
 * The HTTP/1.1 `Upgrade: h2c` path (RFC 7540 §3.2) is not offered: node's http2 cannot
 * take a request that arrived over HTTP/1.1 as stream 1 (nghttp2's session_upgrade2 is
 * not exposed), and RFC 9113 §3.1 deprecates it. The upgrade is ignored, which RFC 9110
 * §7.8 allows, and the request is answered over HTTP/1.1 (curl --http2 does this).
 */
import type { Server } from "node:http";
import {
  createServer as createHttp2Server,
  type Http2Server,
  type SecureServerOptions,
} from "node:http2";
import type { Socket } from "node:net";
import type { ServerConfig } from "../config/server-config.js";
import type { ErrorLog } from "../log/error-log.js";
import { http2ServerOptions, sessionCloser, watchSessions } from "./h2-server.js";
import { serveRequests, type RequestHandler } from "./listener.js";
import { acceptedAt, h2cSockets } from "./h2c-sockets.js";

/** RFC 9113 §3.4. */
export const PREFACE = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "latin1");

/** What a connection's first bytes say: HTTP/2 by prior knowledge, HTTP/1.x, or too
 *  few bytes to tell (a prefix of the preface). */
export function prefaceVerdict(received: Buffer): "h2c" | "http1" | "wait" {
  const length = Math.min(received.length, PREFACE.length);
  if (received.compare(PREFACE, 0, length, 0, length) !== 0) return "http1";
  return received.length >= PREFACE.length ? "h2c" : "wait";
}

/**
 * Serves h2c on `server` (node:http, with all its 'connection' listeners in place: the
 * gate takes them over, so it must be installed last).
 */
export function servePlainHttp2(
  server: Server,
  config: ServerConfig,
  errorLog: ErrorLog,
  handle: RequestHandler,
): void {
  const options = { ...http2ServerOptions(), allowHTTP1: false } as SecureServerOptions;
  const h2 = createHttp2Server(options);
  // Requests, CONNECT's 405 and each stream's read and write watches: as on HTTPS.
  serveRequests(h2 as unknown as Server, config, errorLog, handle);
  const { keepAliveTimeout } = config.http;
  const silenceMs = (keepAliveTimeout + (config.daemons.requestTimeout || 300)) * 1000;
  // (Its silence watch is TLS's 'secureConnection': h2c's is set below at the hand-over.)
  watchSessions(h2, { keepAliveSeconds: keepAliveTimeout, silenceSeconds: 0 }, (message) => {
    errorLog.info(message);
  });
  const { header } = config.clients;
  // As long as a silent HTTP/1.1 connection is kept (--header-timeout; read-timeouts.ts).
  const peekMs = (header.timeout || header.max || 120) * 1000;
  const peeking = new Set<Socket>();
  const toHttp1 = takeConnectionListeners(server);
  server.on("connection", (socket: Socket) => {
    acceptedAt.set(socket, Date.now());
    peeking.add(socket);
    peek(socket, peekMs, (verdict) => {
      peeking.delete(socket);
      if (verdict === "h2c") {
        h2cSockets.add(socket);
        // A session nghttp2 ended stops reading: bounded as over TLS (h2-server.ts).
        socket.setTimeout(silenceMs, () => {
          errorLog.info("HTTP/2 connection silent too long; closed");
          socket.destroy();
        });
        h2.emit("connection", socket);
      } else {
        toHttp1(socket);
        socket.resume();
      }
    });
  });
  closeWithServer(server, h2, peeking);
}

/** node:http's own 'connection' listener and ours, removed from `server`; the function
 *  returned runs them, in their order, for one socket. */
function takeConnectionListeners(server: Server): (socket: Socket) => void {
  const listeners = server.listeners("connection") as ((socket: Socket) => void)[];
  server.removeAllListeners("connection");
  return (socket) => {
    for (const listener of listeners) listener.call(server, socket);
  };
}

/**
 * Reads until the first bytes tell HTTP/2 from HTTP/1.x, then puts them back and stops
 * reading (the next owner resumes). A connection that says nothing for `timeoutMs` is
 * closed, as the header timeout closes a silent HTTP/1.1 connection.
 */
function peek(
  socket: Socket,
  timeoutMs: number,
  decided: (verdict: "h2c" | "http1") => void,
): void {
  let received: Buffer = Buffer.alloc(0);
  const timer = setTimeout(() => {
    socket.destroy();
  }, timeoutMs);
  timer.unref();
  const onData = (chunk: Buffer): void => {
    received = received.length === 0 ? chunk : Buffer.concat([received, chunk]);
    const verdict = prefaceVerdict(received);
    if (verdict === "wait") return;
    clearTimeout(timer);
    socket.off("data", onData);
    socket.off("close", onClose);
    socket.off("error", ignore);
    socket.pause();
    socket.unshift(received);
    decided(verdict);
  };
  const onClose = (): void => {
    clearTimeout(timer);
    socket.off("data", onData);
    socket.off("error", ignore);
  };
  socket.on("data", onData);
  socket.once("close", onClose);
  // Until an owner adds its own, a reset must not be an uncaught 'error'.
  socket.on("error", ignore);
}

const ignore = (): void => undefined;

/** Shutdown closes the h2c sessions (GOAWAY, then destroyed) and the connections still
 *  being peeked at with the HTTP server's own. */
function closeWithServer(server: Server, h2: Http2Server, peeking: Set<Socket>): void {
  const sessions = sessionCloser(h2);
  const closeIdle = server.closeIdleConnections.bind(server);
  const closeAll = server.closeAllConnections.bind(server);
  Object.assign(server, {
    closeIdleConnections: () => {
      closeIdle();
      sessions.closeIdle();
      for (const socket of peeking) socket.destroy();
    },
    closeAllConnections: () => {
      closeAll();
      sessions.closeAll();
      for (const socket of peeking) socket.destroy();
    },
  });
}
