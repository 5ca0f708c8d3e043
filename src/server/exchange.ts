/**
 * One HTTP request's trip through a daemon thread: queued, given a channel, its body
 * streamed in while the response streams out (both at once, each with back-pressure:
 * body-forwarder.ts and response-relay.ts), then the channel handed back. Every way it
 * can end is handled exactly once.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { PendingRequest } from "../daemon/thread-dispatcher.js";
import type { ChannelUser, WorkerChannel } from "../daemon/worker-channel.js";
import { FrameType, type Frame } from "../protocol/frames.js";
import { decodeErrorMessage, encodeRequestHead, type ResponseError } from "../protocol/messages.js";
import { sendError } from "./error-pages.js";
import { BODY_ABORT, BODY_END, BodyForwarder, type BodyOwner } from "./body-forwarder.js";
import { baseOf, type Environ } from "./environ.js";
import type { SpooledBody } from "./request-spool.js";
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
  /** The client of a request written ahead went away: recall it. */
  readonly withdraw: (channel: WorkerChannel) => void;
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

export class Exchange implements PendingRequest, ChannelUser, RelayOwner, BodyOwner {
  readonly queuedAt: number;
  private channel: WorkerChannel | null = null;
  private readonly body: BodyForwarder;
  /** The response is finished from the daemon's side (END, ERROR or lost). */
  private finished = false;
  /** The client will not get (more of) the daemon's response: gone, or answered already. */
  private discard = false;
  private clientGone = false;
  private readonly relay: ResponseRelay;
  private deadline: NodeJS.Timeout | undefined;
  private silence: NodeJS.Timeout | undefined;
  /** Written ahead to a busy thread's channel, not yet running (dispatch-ahead.ts). */
  private ahead = false;

  constructor(
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
    readonly id: string,
    private readonly environ: Environ,
    private readonly requestStart: number,
    private readonly expectContinue: boolean,
    private readonly context: ExchangeContext,
    /** Called once the daemon thread is done with the request: what is left is the
     *  client's to read (--max-clients stops counting it: admission.ts). */
    private readonly daemonDone: () => void = () => undefined,
  ) {
    this.queuedAt = context.now();
    this.relay = new ResponseRelay(req, res, context, this);
    this.body = new BodyForwarder(req, context.limitRequestBody, this);
    res.on("close", () => {
      this.relay.closed();
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

  get sendsWhole(): boolean {
    return !this.expectContinue && this.body.knownAtDispatch(this.skipsBody);
  }

  /** The whole body has been written to the daemon (or ended early). */
  get bodySent(): boolean {
    return this.body.sent;
  }

  /** The pool made this the channel's current request: it is written and runs now. */
  start(channel: WorkerChannel): void {
    this.channel = channel;
    this.armTimers(channel);
    if (!this.send(channel)) this.onEnd(null);
  }

  startAhead(channel: WorkerChannel): boolean {
    this.channel = channel;
    this.ahead = true;
    if (this.send(channel)) return true;
    this.channel = null;
    this.ahead = false;
    return false;
  }

  /** Written ahead, it is now the channel's current request: its deadlines start. */
  promoted(channel: WorkerChannel): void {
    this.ahead = false;
    this.armTimers(channel);
  }

  recalled(): void {
    this.ahead = false;
    this.clearTimers();
    this.channel = null;
  }

  /** Writes the head, and the body when it is known in full; false when the head could
   *  not be encoded (the client has been answered 500). */
  private send(channel: WorkerChannel): boolean {
    let head: Buffer[];
    try {
      head = this.encodeHead(channel);
    } catch (error) {
      this.context.logError(`request ${this.environ.REQUEST_URI ?? ""}: ${String(error)}`);
      this.body.abandon();
      this.answer(500);
      return false;
    }
    // A body known in full at dispatch (none at all, or read ahead) goes out with the
    // head in one write: one syscall here and one wake-up of the daemon thread, not two.
    const whole = this.body.wholeFrames(this.skipsBody);
    if (whole !== null) {
      channel.write(...head, ...whole);
      return true;
    }
    channel.write(...head);
    if (!this.expectContinue) this.body.start();
    return true;
  }

  /** An --error-document request: the app gets no body at all. */
  private get skipsBody(): boolean {
    return this.context.errorPageFor !== undefined;
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

  /** A body the front end read before dispatch (request-body.ts, request-spool.ts). */
  preload(body: Buffer | SpooledBody): void {
    this.body.preload(body);
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
    this.body.end(BODY_ABORT);
    this.answer(status);
    return unanswered;
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
    this.body.end(BODY_ABORT);
    this.context.timedOut(channel, this.id);
  }

  /** The channel this request runs on, for its body (null once it has left it). */
  get currentChannel(): WorkerChannel | null {
    return this.channel;
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
    this.body.resume();
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
        if (this.body.waiting && !this.discard) {
          this.res.writeContinue();
          this.body.start();
        }
        return;
      default:
        this.channel?.close(`unexpected frame 0x${frame.type.toString(16)} during a request`);
    }
  }

  private onEnd(error: ResponseError | null): void {
    this.finished = true;
    this.clearTimers();
    this.body.end(BODY_END);
    // The thread has left the request: a spool file it was reading can be used again.
    this.body.finish(true);
    // After the client left, the daemon's "client went away" is expected, not an error.
    if (error !== null && !error.logged && !this.clientGone) this.context.logError(error.message);
    this.relay.flush();
    if (!this.discard) {
      if (error !== null || !this.relay.headSent) this.answer(500);
      else this.relay.finish();
    }
    const channel = this.channel;
    this.channel = null;
    if (channel) this.context.release(channel);
    this.daemonDone();
  }

  onChannelLost(reason: string): void {
    this.channel = null;
    this.clearTimers();
    // A closed connection does not stop a thread reading: its file is never reused.
    this.body.finish(false);
    if (this.finished) return;
    this.finished = true;
    this.body.abandon();
    this.context.logError(`daemon connection lost during a request: ${reason}`);
    // 502 when the daemon died before the response started (mod_wsgi 6 does the same);
    // afterwards the response is cut so the client can tell it is incomplete.
    this.answer(502);
    this.daemonDone();
  }

  private onClientClose(): void {
    if (this.res.writableFinished) return;
    this.clientGone = true;
    this.discard = true;
    if (this.channel && !this.finished) {
      this.context.abort(this.channel.pid, this.id);
      if (this.ahead) {
        // Not started: it is called back, so that it never runs (as a queued one).
        this.context.withdraw(this.channel);
        return;
      }
      this.body.end(BODY_ABORT);
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
      this.relay.stop();
      cutResponse(this.res);
      return;
    }
    // An error page's own failure gets the built-in page: no second internal request.
    const send =
      this.context.errorPageFor === undefined ? (this.context.sendError ?? sendError) : sendError;
    send(this.res, status, { close: status === 413 || !this.context.keepAlive });
  }
}
