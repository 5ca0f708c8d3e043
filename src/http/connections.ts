/**
 * Per-connection bookkeeping for the HTTP server: parse errors answered with the right
 * status and a closed connection (after any response still owed on it), connections
 * marked closing so no later request on them reaches the app, and the cap on open
 * connections that protects file descriptors.
 */
import { STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { sendError } from "./error-pages.js";
import { isHttp2 } from "./h2-compat.js";
import { clientErrorStatus } from "./request-guards.js";
import { allowed } from "./server-methods.js";
import { watchFirstLine } from "./version-guard.js";

interface ConnectionState {
  /** Responses started on this connection and not yet finished. */
  active: number;
  /** A refusal or parse error was answered: later requests on it are ignored. */
  closing: boolean;
  /** Runs once `active` drops to 0. */
  whenIdle: (() => void) | null;
  /** The request whose body is still arriving, if any. */
  reading: IncomingMessage | null;
}

const states = new WeakMap<Duplex, ConnectionState>();

function stateOf(socket: Duplex): ConnectionState {
  let state = states.get(socket);
  if (!state) {
    state = { active: 0, closing: false, whenIdle: null, reading: null };
    states.set(socket, state);
  }
  return state;
}

/** Counts a response as owed on its connection until it finishes or the socket closes. */
export function trackResponse(req: IncomingMessage, res: ServerResponse): void {
  // req.socket: a pipelined response has no socket until the ones before it are out.
  const state = stateOf(req.socket);
  state.active += 1;
  const hasBody =
    req.headers["transfer-encoding"] !== undefined ||
    Number(req.headers["content-length"] ?? 0) > 0;
  if (hasBody && !req.complete) {
    state.reading = req;
    req.once("end", () => {
      if (state.reading === req) state.reading = null;
    });
  }
  let done = false;
  const finish = (): void => {
    if (done) return;
    done = true;
    state.active -= 1;
    if (state.active === 0 && state.whenIdle) {
      const run = state.whenIdle;
      state.whenIdle = null;
      run();
    }
  };
  // on(), not once(): finish() runs its body once anyway (no wrappers per request).
  res.on("finish", finish);
  res.on("close", finish);
}

/** True once the connection was answered with a closing refusal: a request node parsed
 *  after it (pipelined) must not be served. */
export function isClosing(socket: Duplex): boolean {
  return states.get(socket)?.closing ?? false;
}

export function markClosing(socket: Duplex): void {
  stateOf(socket).closing = true;
}

/** A minimal response written straight to the socket, for when node has no request
 *  object (parse errors, refused connections). */
export function rawErrorResponse(status: number, extraHeaders = ""): string {
  const reason = STATUS_CODES[status] ?? "Error";
  const body =
    `<!DOCTYPE html>\n<html><head><title>${status} ${reason}</title></head>` +
    `<body><h1>${reason}</h1></body></html>\n`;
  return (
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: text/html; charset=iso-8859-1\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\n${extraHeaders}Connection: close\r\n\r\n${body}`
  );
}

/** Answers `status` on a bare socket once the responses owed before it are out, then
 *  closes it. */
export function refuseConnection(socket: Duplex, status: number | null, extraHeaders = ""): void {
  const state = stateOf(socket);
  state.closing = true;
  const send = (): void => {
    if (status !== null && socket.writable) socket.end(rawErrorResponse(status, extraHeaders));
    else socket.destroy();
    // A client that never reads the answer must not keep the socket.
    setTimeout(() => socket.destroy(), 5000).unref();
  };
  if (state.active > 0) state.whenIdle = send;
  else send();
}

/**
 * Installs the server's 'clientError' and 'connect' handlers and the connection cap.
 * node's default clientError handler answers 400 even for bytes that follow a request
 * sent with `Connection: close`, in place of that request's response; and it writes in
 * the middle of a pipelined response. This one waits for owed responses, then answers.
 */
export function guardConnections(
  server: Server,
  maxConnections: number,
  onLimit: (count: number) => void,
  onBodyError: (req: IncomingMessage, status: number) => boolean,
): void {
  type ParseError = NodeJS.ErrnoException & { rawPacket?: Buffer; bytesParsed?: number };
  server.on("clientError", (error: ParseError, socket) => {
    const status = clientErrorStatus(error.code, error.rawPacket, error.bytesParsed);
    if (error.code === "HPE_CLOSED_CONNECTION") {
      // The request before these bytes asked to close: its response ends the connection.
      stateOf(socket).closing = true;
      if (stateOf(socket).active === 0) socket.destroy();
      return;
    }
    // A broken body: its request answers (400 and close) unless its response started.
    const reading = stateOf(socket).reading;
    if (reading && onBodyError(reading, status ?? 400)) {
      stateOf(socket).closing = true;
      return;
    }
    refuseConnection(socket, status);
  });
  // An HTTP/0.9 request line: 400 at once, not a 408 after the header timeout.
  server.on("connection", (socket: Duplex) => {
    watchFirstLine(socket, () => {
      refuseConnection(socket, 400);
    });
  });
  // CONNECT (authority-form) is a proxy's business; node would drop the socket silently.
  // Over HTTP/2 node gives the stream's request and response: 405 on that stream.
  server.on("connect", (_req, socket: Duplex | ServerResponse) => {
    if (isHttp2(socket)) {
      sendError(socket as ServerResponse, 405, { headers: { Allow: allowed(false) } });
      return;
    }
    refuseConnection(socket as Duplex, 405, `Allow: ${allowed(false)}\r\n`);
  });
  // Past the cap node closes new connections at once; idle keep-alive connections cost
  // little, so the cap is generous and only protects file descriptors.
  server.maxConnections = maxConnections;
  server.on("drop", (data?: { localAddress?: string }) => {
    if (data) onLimit(maxConnections);
  });
}
