/**
 * One HTTP request's trip through a daemon thread: queued, given a channel, its body
 * streamed in while the response streams out (both at once, each with back-pressure;
 * the response side is response-relay.ts), then the channel handed back. Every way it
 * can end is handled exactly once.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { PendingRequest } from "../daemon/pool.js";
import type { ChannelUser, WorkerChannel } from "../daemon/worker-channel.js";
import {
  MAX_BODY_FRAME,
  FrameType,
  encodeFrame,
  encodeHeader,
  type Frame,
} from "../protocol/frames.js";
import { decodeErrorMessage, encodeRequestHead } from "../protocol/messages.js";
import { sendError } from "./error-pages.js";
import { baseOf, type Environ } from "./environ.js";
import {
  cutResponse,
  ResponseRelay,
  type RelayContext,
  type RelayOwner,
} from "./response-relay.js";
import type { ErrorSender } from "../static/static-files.js";

/** What an exchange needs from the server around it. */
export interface ExchangeContext extends RelayContext {
  readonly release: (channel: WorkerChannel) => void;
  readonly abort: (pid: number, id: string) => void;
  /** The request passed its deadline (its client was answered): interrupt its thread. */
  readonly timedOut: (channel: WorkerChannel, id: string) => void;
  /** --request-timeout and --socket-timeout in ms; 0: none. */
  readonly requestTimeoutMs: number;
  readonly socketTimeoutMs: number;
  readonly now: () => number;
  /** 0: unlimited. */
  readonly limitRequestBody: number;
  /** The front end's error pages, with --error-document applied (default: sendError). */
  readonly sendError?: ErrorSender;
}

type BodyState = "waiting" | "streaming" | "done";

const BODY_END = encodeFrame(FrameType.REQUEST_BODY_END);
const EMPTY = Buffer.alloc(0);
const BODY_ABORT = encodeFrame(FrameType.REQUEST_BODY_ABORT);

export class Exchange implements PendingRequest, ChannelUser, RelayOwner {
  readonly queuedAt: number;
  private channel: WorkerChannel | null = null;
  private body: BodyState = "waiting";
  private bodyBytes = 0;
  /** The response is finished from the daemon's side (END, ERROR or lost). */
  private finished = false;
  /** The client will not get (more of) the daemon's response: gone, or answered already. */
  private discard = false;
  private clientGone = false;
  private readonly relay: ResponseRelay;
  private deadline: NodeJS.Timeout | undefined;
  private silence: NodeJS.Timeout | undefined;
  private preloaded: Buffer | null = null;

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
    this.relay = new ResponseRelay(req, res, context, this);
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
    const unanswered = !this.discard && !this.relay.headSent && !this.res.headersSent;
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
      ok = this.channel.writeBody(encodeHeader(FrameType.REQUEST_BODY, piece.length), piece);
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
        if (this.relay.clientSlow) this.silence?.refresh();
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

  /** The client is slow: the daemon's output waits in its socket until it catches up. */
  pauseDaemon(): () => void {
    const channel = this.channel;
    channel?.pause();
    return () => {
      // Only while the channel still carries this request: once released it was
      // resumed, and it may since be paused for another request's slow client.
      if (channel && this.channel === channel) channel.resume();
    };
  }

  /** The channel's socket buffer drained: body forwarding resumes. */
  onDrain(): void {
    this.req.resume();
  }

  onFrame(frame: Frame): void {
    this.silence?.refresh();
    switch (frame.type) {
      case FrameType.RESPONSE_HEAD:
        if (!this.discard) this.relay.head(frame.payload);
        return;
      case FrameType.RESPONSE_BODY:
        if (!this.discard && this.relay.headSent) this.relay.body(frame.payload);
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

  private onEnd(error: string | null): void {
    this.finished = true;
    this.clearTimers();
    this.endBody(BODY_END);
    // After the client left, the daemon's "client went away" is expected, not an error.
    if (error !== null && !this.clientGone) this.context.logError(error);
    this.relay.flush();
    if (!this.discard) {
      if (error !== null || !this.relay.headSent) this.answer(500);
      else this.relay.finish();
    }
    const channel = this.channel;
    this.channel = null;
    if (channel) this.context.release(channel);
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
      this.relay.clientSlow = false;
      this.channel.resume();
    }
  }

  /** The front end's own answer (or a cut, once the head went out). Later daemon output
   *  for this request is dropped. */
  answer(status: number): void {
    if (this.discard) return;
    this.discard = true;
    if (this.relay.headSent || this.res.headersSent) {
      cutResponse(this.res);
      return;
    }
    // An error page's own failure gets the built-in page: no second internal request.
    const send =
      this.context.errorPageFor === undefined ? (this.context.sendError ?? sendError) : sendError;
    send(this.res, status, { close: status === 413 || !this.context.keepAlive });
  }
}
