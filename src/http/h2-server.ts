/**
 * The HTTPS listener under --http2: node's http2 secure server, h2 by ALPN and HTTP/1.1
 * (allowHTTP1) for clients that do not offer it, both handled by the one request path
 * through the compatibility API (h2-compat.ts).
 *
 * HTTP/2's own abuses are refused by limits set here explicitly, each named after what it
 * stops (the lessons of /work/shared/reference/peers.md and the peers' CVEs):
 * - rapid reset (CVE-2023-44487): streams opened and reset at once make work the peer
 *   never waits for. nghttp2 (node >= 20.8.1) closes a session past its reset rate; on top,
 *   at most MAX_CONCURRENT_STREAMS streams are open, a stream reset before it reached the
 *   app never reaches it (front-door.ts checks the stream), and one past the limit counts
 *   against maxSessionRejectedStreams, which closes the session;
 * - CONTINUATION floods (CVE-2024-27983/27919 class): a header block is bounded by
 *   maxHeaderListSize (the same 64 KiB as an HTTP/1.1 head) and maxHeaderListPairs;
 * - HPACK bombs (CVE-2016-6581): the decoded size counts against maxHeaderListSize, and
 *   the dynamic table against maxSessionMemory;
 * - SETTINGS and PING floods (CVE-2019-9515, CVE-2019-9512): maxSettings per frame and
 *   maxOutstandingPings unanswered; each frame's ACK queued counts in maxSessionMemory;
 * - invalid-frame floods, empty frames (CVE-2019-9518): maxSessionInvalidFrames;
 * - resource loops over many streams (CVE-2019-9511/9517 data dribble, window games):
 *   maxSessionMemory caps what one session may hold.
 */
import { Server as HttpServer } from "node:http";
import type { Server as HttpsServer } from "node:https";
import type {
  Http2SecureServer,
  Http2Server,
  SecureServerOptions,
  ServerHttp2Session,
  ServerHttp2Stream,
} from "node:http2";
import type { TLSSocket } from "node:tls";
import type { ServerConfig } from "../config/server-config.js";
import { FrontEndH2Request, FrontEndH2Response } from "./h2-compat.js";
import { FrontEndRequest, MAX_REQUEST_HEAD, serverOptions } from "./listener.js";

/** Streams a session may have open at once (Apache's H2MaxSessionStreams default). */
export const MAX_CONCURRENT_STREAMS = 100;

/** node's http2 options, limits first (see above), then the classes and HTTP/1.1. */
export function http2ServerOptions(): SecureServerOptions {
  return {
    allowHTTP1: true,
    settings: {
      maxConcurrentStreams: MAX_CONCURRENT_STREAMS,
      maxHeaderListSize: MAX_REQUEST_HEAD,
      // No server push: nothing here would push, and clients need not keep state for it.
      enablePush: false,
    },
    maxHeaderListPairs: 128,
    maxSettings: 32,
    maxOutstandingPings: 10,
    maxSessionInvalidFrames: 100,
    maxSessionRejectedStreams: 100,
    // Megabytes one session may hold in nghttp2's buffers (node's default, made explicit).
    maxSessionMemory: 10,
    // Streams the server would open: none, but bound it all the same.
    peerMaxConcurrentStreams: MAX_CONCURRENT_STREAMS,
    Http1IncomingMessage: FrontEndRequest,
    Http2ServerRequest: FrontEndH2Request,
    Http2ServerResponse: FrontEndH2Response,
    // The HTTP/1.1 side's settings are the server object's (shareHttp1Settings).
    // (The cast: @types/node types the response class as generic over its request.)
  } as SecureServerOptions;
}

/**
 * What node:http's connection listener reads from the server for an HTTP/1.1 connection:
 * http2's server takes no node:http options, so its HTTP/1.1 side is given ours here
 * (it would otherwise cut a request at 300 s and allow node's default head size).
 */
export function shareHttp1Settings(server: Http2SecureServer, config: ServerConfig): void {
  const options = serverOptions(config);
  Object.assign(server, {
    keepAliveTimeout: options.keepAliveTimeout,
    requestTimeout: options.requestTimeout,
    headersTimeout: options.headersTimeout,
    maxHeaderSize: options.maxHeaderSize,
    requireHostHeader: false,
  });
}

/**
 * A session with no stream open is closed after --keep-alive-timeout, as mod_http2 does (H2KeepAliveTimeout
 * defaults to KeepAliveTimeout): gracefully, with GOAWAY, letting its open streams end.
 *
 * And a session whose socket moved no byte either way for `silenceSeconds` is destroyed.
 * Once nghttp2 has ended a session itself (its GOAWAY to a rapid-reset flood), no frame
 * is read any more and a graceful close need not finish: this bounds how long such a
 * connection stays open (test/e2e/http2-abuse.test.ts). A legitimate session is
 * never that silent for longer than a request may take (--request-timeout answers 504).
 * Session errors (a peer's protocol error) are logged, not thrown.
 */
export function watchSessions(
  server: Http2SecureServer | Http2Server,
  timeouts: { keepAliveSeconds: number; silenceSeconds: number },
  log: (message: string) => void,
): void {
  const idleMs = timeouts.keepAliveSeconds * 1000;
  server.on("session", (session: ServerHttp2Session) => {
    if (idleMs <= 0) return;
    // Idle means no stream open, as for H2KeepAliveTimeout: a request the app takes its
    // time over is not a reason to refuse the next ones. The timer restarts when the
    // last open stream closes.
    let open = 0;
    session.on("stream", (stream: ServerHttp2Stream) => {
      open += 1;
      stream.once("close", () => {
        open -= 1;
        if (open === 0 && !session.destroyed) session.setTimeout(idleMs);
      });
    });
    // node wires a 'timeout' listener of its own only for server.timeout: this one acts.
    session.on("timeout", () => {
      if (open === 0) session.close();
    });
    session.setTimeout(idleMs);
  });
  server.on("secureConnection", (socket: TLSSocket) => {
    if (socket.alpnProtocol !== "h2") return;
    socket.setTimeout(timeouts.silenceSeconds * 1000, () => {
      log("HTTP/2 connection silent too long; closed");
      socket.destroy();
    });
  });
  server.on("sessionError", (error: Error) => {
    log(`HTTP/2 session error: ${error.message}`);
  });
}

/**
 * The http2 server as the rest of the server sees an HTTPS one. Its HTTP/1.1 connections
 * are node:http's (tracked by node, as allowHTTP1 sets up); its HTTP/2 sessions are
 * tracked here, so that shutdown closes them too: closeIdleConnections sends each a
 * GOAWAY (its open streams finish), closeAllConnections destroys them.
 */
export function asHttpsServer(server: Http2SecureServer): HttpsServer {
  const sessions = sessionCloser(server);
  const http1 = HttpServer.prototype;
  const closeIdle = (): void => {
    http1.closeIdleConnections.call(server as unknown as HttpServer);
    sessions.closeIdle();
  };
  const closeAll = (): void => {
    http1.closeAllConnections.call(server as unknown as HttpServer);
    sessions.closeAll();
  };
  return Object.assign(server, {
    closeIdleConnections: closeIdle,
    closeAllConnections: closeAll,
  }) as unknown as HttpsServer;
}

/** Tracks an http2 server's sessions: closeIdle sends each a GOAWAY (its open streams
 *  finish), closeAll destroys them. */
export function sessionCloser(server: Http2SecureServer | Http2Server): {
  closeIdle: () => void;
  closeAll: () => void;
} {
  const sessions = new Set<ServerHttp2Session>();
  server.on("session", (session: ServerHttp2Session) => {
    sessions.add(session);
    session.once("close", () => sessions.delete(session));
  });
  return {
    closeIdle: () => {
      for (const session of sessions) session.close();
    },
    closeAll: () => {
      for (const session of sessions) session.destroy();
    },
  };
}
