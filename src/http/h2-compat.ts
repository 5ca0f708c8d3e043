/**
 * HTTP/2 requests in the shape the front end handles: node's compatibility API
 * (Http2ServerRequest/Http2ServerResponse) stands in for node:http's objects, and these
 * subclasses remove the differences the rest of the server would trip on, so that one
 * request path serves both protocols:
 *
 * - pseudo-headers (`:method`, `:path`, `:authority`, `:scheme`) are taken out of
 *   rawHeaders, so no limit counts them and no HTTP_* key is made of them; `:authority`
 *   becomes Host when the request has none (RFC 9113 §8.3.1, as an HTTP/1.1 gateway
 *   must; mod_http2 does the same);
 * - connection-specific response headers (Connection, Keep-Alive, Transfer-Encoding...)
 *   are dropped: RFC 9113 §8.2.2 forbids them, and node would throw on most of them;
 * - a request body without Content-Length is marked chunked, as mod_http2 marks it;
 * - no reason phrase: HTTP/2 has none (RFC 9113 §8.3.2), and node warns when given one.
 *
 * An HTTP/2 request's `req.socket` is a proxy: it reads the TLS socket's properties but
 * its end()/destroy() act on the stream. Per-request state keyed by it is per stream.
 */
import { constants, Http2ServerRequest, Http2ServerResponse } from "node:http2";
import type { ServerHttp2Stream } from "node:http2";
import type { IncomingHttpHeaders, OutgoingHttpHeaders, ServerResponse } from "node:http";
import type { ReadableOptions } from "node:stream";
import { CONNECTION_SPECIFIC, respondFields } from "./h2-respond.js";

/** The front end's HTTP/2 request class (http2's Http2ServerRequest option). */
export class FrontEndH2Request extends Http2ServerRequest {
  /** As FrontEndRequest's: what to do when the body breaks or arrives too slowly. */
  bodyFailed: (status: number) => boolean = () => false;
  /** A Host header that names another authority than `:authority` (400). */
  readonly conflictingHost: boolean;

  constructor(
    stream: ServerHttp2Stream,
    headers: IncomingHttpHeaders,
    options: ReadableOptions,
    rawHeaders: readonly string[],
  ) {
    super(stream, headers, options, rawHeaders);
    const raw = this.rawHeaders;
    this.conflictingHost = hostFromAuthority(raw, this.headers);
    // A body with no Content-Length is framed by DATA frames alone; the rest of the server
    // (and the app) knows it as chunked, as mod_http2 presents it to Apache
    // (h2_request_end_headers adds `Transfer-Encoding: chunked`): --chunked-request
    // decides, and it is spooled like any body of unknown length.
    if (!stream.endAfterHeaders && this.headers["content-length"] === undefined) {
      this.headers["transfer-encoding"] = "chunked";
      raw.push("transfer-encoding", "chunked");
    }
  }
}

/** Removes the pseudo-headers from `raw` and adds Host from `:authority` when there is
 *  none; true when both are there and differ (RFC 9113 §8.3.1: malformed). */
export function hostFromAuthority(raw: string[], headers: IncomingHttpHeaders): boolean {
  // One pass that keeps the regular fields in place (no splice per pseudo-header: this
  // runs for every HTTP/2 request).
  let authority: string | undefined;
  let kept = 0;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] as string;
    if (name.startsWith(":")) {
      if (name === ":authority" && authority === undefined) authority = raw[i + 1];
      continue;
    }
    raw[kept] = name;
    raw[kept + 1] = raw[i + 1] as string;
    kept += 2;
  }
  raw.length = kept;
  if (authority === undefined) return false;
  if (headers.host === undefined) {
    raw.unshift("host", authority);
    headers.host = authority;
    return false;
  }
  return headers.host.toLowerCase() !== authority.toLowerCase();
}

type HeaderList = OutgoingHttpHeaders | readonly (string | number | readonly string[])[];

/** The front end's HTTP/2 response class (http2's Http2ServerResponse option). */
export class FrontEndH2Response extends Http2ServerResponse {
  /** removeHeader("Date") asked for no Date field (the compatibility layer's sendDate). */
  private dateRemoved = false;

  override writeHead(
    statusCode: number,
    reasonOrHeaders?: string | HeaderList,
    maybeHeaders?: HeaderList,
  ): this {
    const headers = typeof reasonOrHeaders === "string" ? maybeHeaders : reasonOrHeaders;
    if (headers === undefined) return super.writeHead(statusCode);
    if (Array.isArray(headers) && this.respondAtOnce(statusCode, headers)) return this;
    return super.writeHead(statusCode, withoutConnectionFields(headers) as OutgoingHttpHeaders);
  }

  /** The relay's head in one step (h2-respond.ts); false: the compatibility layer's way. */
  private respondAtOnce(statusCode: number, list: readonly unknown[]): boolean {
    const stream = this.stream;
    if (this.headersSent || this.writableEnded || stream.destroyed || stream.closed) return false;
    // Only what the compatibility layer accepts (no 1xx, RFC 9113 §8.1), and nothing set
    // earlier with setHeader to merge.
    if (!Number.isInteger(statusCode) || statusCode < 200 || statusCode > 599) return false;
    if (this.dateRemoved || this.getHeaderNames().length > 0) return false;
    const fields = respondFields(list, statusCode);
    if (fields === null) return false;
    this.statusCode = statusCode;
    stream.respond(fields, { waitForTrailers: false });
    return true;
  }

  override removeHeader(name: string): void {
    super.removeHeader(name);
    if (name.trim().toLowerCase() === "date") this.dateRemoved = true;
  }

  override setHeader(name: string, value: number | string | readonly string[]): void {
    if (!CONNECTION_SPECIFIC.has(name.toLowerCase())) super.setHeader(name, value);
  }

  override appendHeader(name: string, value: string | string[]): void {
    if (!CONNECTION_SPECIFIC.has(name.toLowerCase())) super.appendHeader(name, value);
  }
}

/** The headers of a response without the connection-specific ones: an object, or
 *  node's flat [name, value, ...] list (what the relay writes). */
export function withoutConnectionFields(headers: HeaderList): HeaderList {
  if (!Array.isArray(headers)) {
    const kept: OutgoingHttpHeaders = {};
    for (const [name, value] of Object.entries(headers as OutgoingHttpHeaders)) {
      if (!CONNECTION_SPECIFIC.has(name.toLowerCase())) kept[name] = value;
    }
    return kept;
  }
  const list = headers as readonly (string | number | readonly string[])[];
  const kept: (string | number | readonly string[])[] = [];
  for (let i = 0; i + 1 < list.length; i += 2) {
    const name = list[i];
    if (typeof name === "string" && CONNECTION_SPECIFIC.has(name.toLowerCase())) continue;
    kept.push(name ?? "", list[i + 1] ?? "");
  }
  return kept;
}

/** True for a request (or its response) that came over HTTP/2. */
export function isHttp2(message: object): boolean {
  return message instanceof Http2ServerRequest || message instanceof Http2ServerResponse;
}

/**
 * Ends an HTTP/2 response the client must see as incomplete: the stream alone is reset
 * (RST_STREAM INTERNAL_ERROR, RFC 9113 §8.1), never the session it shares with other
 * requests. The client sees the stream reset, not a short but clean end.
 */
export function resetStream(res: ServerResponse): boolean {
  if (!(res instanceof Http2ServerResponse)) return false;
  const stream = (res as Http2ServerResponse).stream;
  if (!stream.destroyed && !stream.closed) stream.close(constants.NGHTTP2_INTERNAL_ERROR);
  return true;
}

/**
 * What the slow-client watch (read-timeouts.ts) reads of a connection, for one HTTP/2
 * stream: the session's socket is shared by all its streams, so a stalled upload or a
 * reader that stopped is seen per stream, and only that stream is reset.
 */
export class StreamMeter {
  /** Request body bytes received on the stream. */
  bytesRead = 0;
  private sent = 0;
  private lastPending = 0;

  constructor(private readonly stream: ServerHttp2Stream) {
    // The compatibility layer reads the stream (paused until the request is read); one
    // more 'data' listener only counts, it does not change the flow.
    stream.on("data", (chunk: Buffer) => {
      this.bytesRead += chunk.length;
    });
  }

  get destroyed(): boolean {
    return this.stream.destroyed || this.stream.closed;
  }

  /** Response bytes waiting for the client's flow-control window. */
  get writableLength(): number {
    return this.stream.writableLength;
  }

  /** Grows as the queued response bytes go out: progress, as the watch counts it. */
  get bytesWritten(): number {
    const pending = this.stream.writableLength;
    if (pending < this.lastPending) this.sent += this.lastPending - pending;
    this.lastPending = pending;
    return this.sent;
  }

  /** Resets the stream alone (RST_STREAM CANCEL): the session serves its other streams. */
  destroy(): void {
    if (!this.destroyed) this.stream.close(constants.NGHTTP2_CANCEL);
  }

  onClose(run: () => void): void {
    this.stream.once("close", run);
  }
}

/** Resets an HTTP/2 request's stream with HTTP_1_1_REQUIRED (RFC 9113 §9.2.1): the
 *  client retries it over HTTP/1.1. */
export function requireHttp1(res: ServerResponse): void {
  const stream = (res as unknown as Http2ServerResponse).stream;
  if (!stream.destroyed && !stream.closed) stream.close(constants.NGHTTP2_HTTP_1_1_REQUIRED);
}
