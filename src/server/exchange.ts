/**
 * One HTTP request's trip through a daemon thread: queued, given a channel, its body
 * streamed in while the response streams out (both at once, each with back-pressure),
 * then the channel handed back. Every way it can end is handled exactly once.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Writable } from "node:stream";
import { STATUS_CODES } from "node:http";
import type { PendingRequest } from "../daemon/pool.js";
import type { ChannelUser, WorkerChannel } from "../daemon/worker-channel.js";
import {
  MAX_BODY_FRAME,
  FrameType,
  encodeFrame,
  encodeHeader,
  type Frame,
} from "../protocol/frames.js";
import { decodeErrorMessage, decodeResponseHead, encodeRequestHead } from "../protocol/messages.js";
import { countBody, recordHeaders } from "./access-log.js";
import { sendError } from "./error-pages.js";
import { BadResponseHead, checkResponseHead } from "./response-head.js";
import { baseOf, type Environ } from "./environ.js";
import { gzipHead, gzipTo } from "../static/compress.js";
import type { ErrorSender } from "../static/static-files.js";

/** What an exchange needs from the server around it. */
export interface ExchangeContext {
  readonly release: (channel: WorkerChannel) => void;
  readonly abort: (pid: number, id: string) => void;
  /** The request passed its deadline (its client was answered): interrupt its thread. */
  readonly timedOut: (channel: WorkerChannel, id: string) => void;
  /** --request-timeout and --socket-timeout in ms; 0: none. */
  readonly requestTimeoutMs: number;
  readonly socketTimeoutMs: number;
  readonly logError: (message: string) => void;
  readonly now: () => number;
  /** 0: unlimited. */
  readonly limitRequestBody: number;
  readonly keepAlive: boolean;
  /** --header-buffer-size: the longest response header line accepted from a daemon. */
  readonly headerBufferSize: number;
  /** --response-buffer-size: bytes queued for the client before the daemon must wait
   *  (0 or absent: wait as soon as the client's stream is full). */
  readonly responseBufferSize?: number;
  /** The front end's error pages, with --error-document applied (default: sendError). */
  readonly sendError?: ErrorSender;
  /** --error-override: an app status >= 400 gets the server's error page instead. */
  readonly errorOverride?: boolean;
  /** --compress-responses (src/static/compress.ts). */
  readonly compressResponses?: boolean;
  /** This exchange fetches the --error-document page for that status from the app: the
   *  client's body is not forwarded and the page goes out with that status. */
  readonly errorPageFor?: number;
}

type BodyState = "waiting" | "streaming" | "done";

const BODY_END = encodeFrame(FrameType.REQUEST_BODY_END);
const EMPTY = Buffer.alloc(0);
const BODY_ABORT = encodeFrame(FrameType.REQUEST_BODY_ABORT);
/** Body pieces this large are held (corked) until the end of the event-loop turn. */
const BATCH_MIN = 16 * 1024;

export class Exchange implements PendingRequest, ChannelUser {
  readonly queuedAt: number;
  private channel: WorkerChannel | null = null;
  private body: BodyState = "waiting";
  private bodyBytes = 0;
  /** The response is finished from the daemon's side (END, ERROR or lost). */
  private finished = false;
  /** The client will not get (more of) the daemon's response: gone, or answered already. */
  private discard = false;
  private headSent = false;
  private declaredLength: number | null = null;
  private mayHaveBody = true;
  private clientGone = false;
  /** The app sent more than its Content-Length: close the connection after the response. */
  private cutAfterEnd = false;
  /** Where the body goes: the response, or a gzip stream feeding it. */
  private out: Writable;
  sentBytes = 0;
  private deadline: NodeJS.Timeout | undefined;
  private silence: NodeJS.Timeout | undefined;
  /** The client is not taking the response as fast as the daemon sends it. */
  private clientSlow = false;
  private preloaded: Buffer | null = null;
  /** The client's socket is corked until the end of this event-loop turn. */
  private corked = false;

  constructor(
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
    private readonly id: string,
    private readonly environ: Environ,
    private readonly requestStart: number,
    private readonly expectContinue: boolean,
    private readonly context: ExchangeContext,
  ) {
    this.queuedAt = context.now();
    this.out = res;
    res.on("close", () => {
      this.onClientClose();
    });
  }

  get wanted(): boolean {
    return !this.discard && !this.finished;
  }

  /** SCRIPT_NAME + PATH_INFO, for --ignore-activity. */
  get path(): string {
    return (this.environ.SCRIPT_NAME ?? "") + (this.environ.PATH_INFO ?? "");
  }

  /** Waited longer than --queue-timeout for a daemon thread: 504, as mod_wsgi answers;
   *  or no daemon was ready for --connect-timeout: 503. */
  expire(status: 503 | 504): void {
    const why = status === 504 ? "--queue-timeout" : "--connect-timeout, no daemon ready";
    this.context.logError(
      `request ${this.environ.REQUEST_URI ?? ""} timed out in the queue (${why})`,
    );
    this.answer(status);
  }

  start(channel: WorkerChannel): void {
    this.channel = channel;
    this.armTimers(channel);
    channel.assign(this);
    let head: Buffer[];
    try {
      head = this.encodeHead(channel);
    } catch (error) {
      this.context.logError(`request ${this.environ.REQUEST_URI ?? ""}: ${String(error)}`);
      this.body = "done";
      this.answer(500);
      this.onEnd(null);
      return;
    }
    // A body known in full at dispatch (none at all, or read ahead) goes out with the
    // head in one write: one syscall here and one wake-up of the daemon thread, not two.
    const whole = this.context.errorPageFor !== undefined ? EMPTY : this.wholeBody();
    if (whole !== null) {
      this.body = "done";
      this.bodyBytes = whole.length;
      if (whole.length === 0) channel.write(...head, BODY_END);
      else {
        channel.write(...head, encodeHeader(FrameType.REQUEST_BODY, whole.length), whole, BODY_END);
      }
      return;
    }
    channel.write(...head);
    if (!this.expectContinue) this.forwardBody();
  }

  /** REQUEST_HEAD, preceded by its ENVIRON_BASE the first time this connection needs it. */
  private encodeHead(channel: WorkerChannel): Buffer[] {
    const base = baseOf(this.environ);
    const head = encodeRequestHead({
      id: this.id,
      base: base.id,
      environ: this.environ,
      requestStart: this.requestStart,
      queueStart: this.requestStart,
      expectContinue: this.expectContinue,
    });
    return channel.needsBase(base.id) ? [base.frame, head] : [head];
  }

  /** The request's body when it is already known: empty when the request has none
   *  (RFC 9112 §6.3: no Content-Length or 0, and no Transfer-Encoding), or the body read
   *  ahead of dispatch. Null when it must be streamed. */
  private wholeBody(): Buffer | null {
    if (this.preloaded && this.preloaded.length <= MAX_BODY_FRAME) return this.preloaded;
    const headers = this.req.headers;
    const length = headers["content-length"];
    const bodiless =
      headers["transfer-encoding"] === undefined && (length === undefined || Number(length) === 0);
    return bodiless ? EMPTY : null;
  }

  /** A body the front end read in full before dispatch (a slow uploader never holds a
   *  Python thread); it is sent at once instead of streamed from the request. */
  preload(body: Buffer): void {
    this.preloaded = body;
  }

  /** The client's body broke (400) or came too slowly (408, --body-timeout): the app's
   *  reads fail, the client gets the status (or a cut response) and the connection
   *  closes. False when the response had already started. */
  clientBodyFailed(status: number): boolean {
    const unanswered = !this.discard && !this.headSent && !this.res.headersSent;
    this.context.logError(
      `request ${this.environ.REQUEST_URI ?? ""}: request body failed (${status})`,
    );
    this.res.shouldKeepAlive = false;
    this.endBody(BODY_ABORT);
    this.answer(status);
    return unanswered;
  }

  private forwardBody(): void {
    this.body = "streaming";
    if (this.preloaded) {
      this.forwardChunk(this.preloaded);
      this.endBody(BODY_END);
      return;
    }
    this.req.on("data", (chunk: Buffer) => {
      this.forwardChunk(chunk);
    });
    this.req.on("end", () => {
      this.endBody(BODY_END);
    });
    // The client vanished mid-body: the app's next read raises instead of waiting forever.
    this.req.on("aborted", () => {
      this.endBody(BODY_ABORT);
    });
  }

  private forwardChunk(chunk: Buffer): void {
    if (this.body !== "streaming" || !this.channel) return;
    this.bodyBytes += chunk.length;
    const limit = this.context.limitRequestBody;
    if (limit > 0 && this.bodyBytes > limit) {
      // A chunked body that outgrew --limit-request-body (a declared one was refused
      // before dispatch): the app sees a read error, the client 413 if nothing was sent.
      this.endBody(BODY_ABORT);
      this.answer(413);
      return;
    }
    let ok = true;
    for (let offset = 0; offset < chunk.length; offset += MAX_BODY_FRAME) {
      const piece = chunk.subarray(offset, offset + MAX_BODY_FRAME);
      ok = this.channel.write(encodeHeader(FrameType.REQUEST_BODY, piece.length), piece);
    }
    if (!ok) this.req.pause();
  }

  private endBody(frame: Buffer): void {
    if (this.body === "done") return;
    const wasStreaming = this.body === "streaming";
    this.body = "done";
    if (wasStreaming) this.req.removeAllListeners("data");
    this.channel?.write(frame);
  }

  /** One timer for --request-timeout, one for --socket-timeout (refreshed on each daemon
   *  frame, paused while a slow client holds the response back); both end at onEnd. */
  private armTimers(channel: WorkerChannel): void {
    const { requestTimeoutMs, socketTimeoutMs } = this.context;
    if (requestTimeoutMs > 0) {
      this.deadline = setTimeout(() => {
        this.onTimeout(channel, `ran longer than --request-timeout`);
      }, requestTimeoutMs);
    }
    if (socketTimeoutMs > 0) {
      this.silence = setTimeout(() => {
        if (this.clientSlow) this.silence?.refresh();
        else this.onTimeout(channel, `got nothing from the daemon for --socket-timeout`);
      }, socketTimeoutMs);
    }
  }

  private clearTimers(): void {
    clearTimeout(this.deadline);
    clearTimeout(this.silence);
  }

  /** 504 (or a cut response) at once; the thread is interrupted by the pool. */
  private onTimeout(channel: WorkerChannel, why: string): void {
    this.clearTimers();
    if (this.finished || this.channel !== channel) return;
    this.context.logError(
      `request ${this.environ.REQUEST_URI ?? ""} ${why}; answered 504, interrupting thread ${channel.thread} of daemon ${channel.pid}`,
    );
    this.answer(504);
    this.endBody(BODY_ABORT);
    this.context.timedOut(channel, this.id);
  }

  /** The channel's socket buffer drained: body forwarding resumes. */
  onDrain(): void {
    this.req.resume();
  }

  onFrame(frame: Frame): void {
    this.silence?.refresh();
    switch (frame.type) {
      case FrameType.RESPONSE_HEAD:
        this.onHead(frame.payload);
        return;
      case FrameType.RESPONSE_BODY:
        this.onBody(frame.payload);
        return;
      case FrameType.RESPONSE_END:
        this.onEnd(null);
        return;
      case FrameType.RESPONSE_ERROR:
        this.onEnd(decodeErrorMessage(frame.payload));
        return;
      case FrameType.BODY_WANTED:
        if (this.body === "waiting" && !this.discard) {
          this.res.writeContinue();
          this.forwardBody();
        }
        return;
      default:
        this.channel?.close(`unexpected frame 0x${frame.type.toString(16)} during a request`);
    }
  }

  private onHead(payload: Buffer): void {
    if (this.discard) return;
    let head;
    try {
      head = checkResponseHead(decodeResponseHead(payload), this.context.headerBufferSize);
    } catch (error) {
      const why = error instanceof BadResponseHead ? error.message : String(error);
      this.context.logError(`bad response head from the application: ${why}`);
      this.answer(500);
      return;
    }
    const page = this.context.errorPageFor;
    const statusCode = page ?? head.statusCode;
    const reason = page === undefined ? head.reason : "";
    // The page failed itself: Apache then falls back to its built-in page.
    if (page !== undefined && head.statusCode >= 400) {
      this.answer(page);
      return;
    }
    if (this.context.errorOverride === true && page === undefined && statusCode >= 400) {
      // WSGIErrorOverride On: the app's body is discarded for the server's error page.
      this.answer(statusCode);
      return;
    }
    this.declaredLength = head.contentLength;
    this.mayHaveBody = this.req.method !== "HEAD" && statusCode !== 204 && statusCode !== 304;
    if (!this.context.keepAlive) this.res.shouldKeepAlive = false;
    const compressed =
      this.context.compressResponses === true
        ? gzipHead(statusCode, head.headers, this.req.headers["accept-encoding"])
        : null;
    const headers = compressed?.headers ?? head.headers;
    this.res.writeHead(statusCode, reason || STATUS_CODES[statusCode] || "", headers);
    recordHeaders(this.res, headers);
    if (compressed?.gzip === true) this.out = gzipTo(this.res);
    this.headSent = true;
  }

  private onBody(payload: Buffer): void {
    if (this.discard || !this.headSent) return;
    let chunk = payload;
    if (this.declaredLength !== null && this.sentBytes + chunk.length > this.declaredLength) {
      // Never send more than the app declared; the surplus is a bug the client must see
      // as a closed connection, not as the start of a next response.
      chunk = chunk.subarray(0, this.declaredLength - this.sentBytes);
      this.cutAfterEnd = true;
    }
    this.sentBytes += chunk.length;
    if (chunk.length >= BATCH_MIN) this.batchClientWrites();
    // Gzipped, the access log counts the bytes that leave (gzipTo counts them), as %b does.
    if (this.mayHaveBody && this.out === this.res) countBody(this.res, chunk.length);
    // The daemon runs on while up to --response-buffer-size bytes wait for a slow reader.
    if (
      !this.out.write(chunk) &&
      this.queuedForClient() >= (this.context.responseBufferSize ?? 0)
    ) {
      const channel = this.channel;
      channel?.pause();
      this.clientSlow = true;
      this.out.once("drain", () => {
        this.clientSlow = false;
        // Only while the channel still carries this request: once released it was
        // resumed, and it may since be paused for another request's slow client.
        if (channel && this.channel === channel) channel.resume();
      });
    }
  }

  /** A large body arrives from the daemon as many socket reads in one turn of the event
   *  loop; they go to the client in one writev at the end of that turn, not one write
   *  per read. (A small body is written at once: it is all there is.) */
  private batchClientWrites(): void {
    if (this.corked || this.out !== this.res) return;
    this.corked = true;
    this.res.cork();
    setImmediate(() => {
      this.flushClientWrites();
    });
  }

  private flushClientWrites(): void {
    if (!this.corked) return;
    this.corked = false;
    this.res.uncork();
  }

  private queuedForClient(): number {
    return this.res.writableLength + (this.out === this.res ? 0 : this.out.writableLength);
  }

  private onEnd(error: string | null): void {
    this.finished = true;
    this.clearTimers();
    this.endBody(BODY_END);
    // After the client left, the daemon's "client went away" is expected, not an error.
    if (error !== null && !this.clientGone) this.context.logError(error);
    this.flushClientWrites();
    if (!this.discard) {
      if (error !== null || !this.headSent) this.answer(500);
      else if (this.cutAfterEnd || this.shortOfDeclared()) cutResponse(this.res);
      else this.out.end();
    }
    const channel = this.channel;
    this.channel = null;
    if (channel) this.context.release(channel);
  }

  private shortOfDeclared(): boolean {
    return this.mayHaveBody && this.declaredLength !== null && this.sentBytes < this.declaredLength;
  }

  onChannelLost(reason: string): void {
    this.channel = null;
    this.clearTimers();
    if (this.finished) return;
    this.finished = true;
    this.body = "done";
    this.req.removeAllListeners("data");
    this.context.logError(`daemon connection lost during a request: ${reason}`);
    // 502 when the daemon died before the response started (mod_wsgi 6 does the same);
    // afterwards the response is cut so the client can tell it is incomplete.
    this.answer(502);
  }

  private onClientClose(): void {
    if (this.res.writableFinished) return;
    this.clientGone = true;
    this.discard = true;
    if (this.channel && !this.finished) {
      this.context.abort(this.channel.pid, this.id);
      this.endBody(BODY_ABORT);
      // Paused for a client that is now gone: its 'drain' never comes, and the daemon
      // thread would block writing the rest. Take (and drop) the output instead.
      this.clientSlow = false;
      this.channel.resume();
    }
  }

  /** The front end's own answer (or a cut, once the head went out). Later daemon output
   *  for this request is dropped. */
  private answer(status: number): void {
    if (this.discard) return;
    this.discard = true;
    if (this.headSent || this.res.headersSent) {
      cutResponse(this.res);
      return;
    }
    // An error page's own failure gets the built-in page: no second internal request.
    const send =
      this.context.errorPageFor === undefined ? (this.context.sendError ?? sendError) : sendError;
    send(this.res, status, { close: status === 413 || !this.context.keepAlive });
  }
}

/**
 * Ends a response the client must see as incomplete: what was written is flushed, then
 * the connection closes without a final chunk (or short of Content-Length). destroy()
 * alone would also drop the bytes still queued for the client.
 */
function cutResponse(res: ServerResponse): void {
  const socket = res.socket;
  if (socket) socket.end();
  else res.destroy();
}
