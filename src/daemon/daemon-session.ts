/**
 * One request's session with a daemon thread: the third layer of the protocol, over
 * framing and messages. It waits in the pool's queue (or ahead on a busy thread), writes
 * the request head and body as frames, turns the response frames into the HTTP side's
 * typed callbacks, and owns the request's deadlines, recall and cancellation.
 */
import type { HeldPiece } from "../buffering/response-spool.js";
import type { SpooledBody } from "../buffering/request-spool.js";
import type {
  AppFailure,
  BackendSession,
  BodySink,
  SessionEvents,
  SessionRequest,
  SessionTiming,
} from "../exchange/backend.js";
import { FrameType, type Frame } from "../protocol/frames.js";
import { decodeErrorMessage, decodeResponseHead } from "../protocol/messages.js";
import type { PendingRequest } from "./pending-request.js";
import { holdPiece } from "./read-buffer-pool.js";
import { sessionTiming } from "./request-frames.js";
import {
  BODY_ABORT,
  BODY_END,
  headFrames,
  bodyFileFrame,
  wholeBodyFrames,
  writeBodyFrames,
} from "./request-frames.js";
import { SessionTimers, type SessionClock } from "./session-timers.js";
import type { WorkerChannel } from "./worker-channel.js";

/** What a session needs from the pool and the server around it. */
export interface SessionContext extends SessionClock {
  /** The request left the channel: the thread may take another. */
  readonly release: (channel: WorkerChannel) => void;
  /** The client went away: the daemon drops the request. */
  readonly abort: (pid: number, id: string) => void;
  /** The client of a request written ahead went away: recall it. */
  readonly withdraw: (channel: WorkerChannel) => void;
  /** The request passed its deadline (its client was answered): interrupt its thread. */
  readonly timedOut: (channel: WorkerChannel, id: string) => void;
  readonly logError: (message: string) => void;
  readonly dispatch: (session: DaemonSession) => void;
}

export class DaemonSession implements PendingRequest, BackendSession, BodySink {
  readonly queuedAt: number;
  /** When it was queued (s since the epoch, mod_wsgi.queue_start): from its arrival to
   *  here (a body read ahead, the site's checks) is request_metrics()' server time. */
  readonly queueStart: number;
  /** The thread that took it and when (its `since`: thread-dispatcher.ts), for telemetry. */
  private ranOn: WorkerChannel | null = null;
  private startedAt = 0;
  waitingForClient = false;
  private channel: WorkerChannel | null = null;
  /** Written ahead to a busy thread's channel, not yet running (dispatch-ahead.ts). */
  private ahead = false;
  /** queued -> running (or ahead) -> finished; cancelled: nobody wants its output. */
  private finished = false;
  private cancelled = false;
  private readonly timers: SessionTimers<WorkerChannel>;

  constructor(
    readonly request: SessionRequest,
    private readonly events: SessionEvents,
    private readonly context: SessionContext,
  ) {
    this.queuedAt = context.now();
    this.queueStart = Date.now() / 1000;
    this.timers = new SessionTimers<WorkerChannel>(
      context,
      () => this.waitingForClient,
      (why, channel) => {
        this.onTimeout(why, channel);
      },
    );
  }

  get id(): string {
    return this.request.id;
  }

  dispatch(): void {
    this.context.dispatch(this);
  }

  get wanted(): boolean {
    return !this.cancelled && !this.finished;
  }

  /** SCRIPT_NAME + PATH_INFO, for --ignore-activity. */
  get path(): string {
    const { environ } = this.request;
    return (environ.SCRIPT_NAME ?? "") + (environ.PATH_INFO ?? "");
  }

  get sendsWhole(): boolean {
    return !this.request.expectContinue && this.request.bodyKnownAtDispatch;
  }

  /** The whole body has been written to the daemon (or ended early). */
  get bodySent(): boolean {
    return this.request.bodySent;
  }

  get body(): BodySink | null {
    return this.channel === null ? null : this;
  }

  get readsBodyFiles(): boolean {
    return this.channel?.readsBodyFiles === true;
  }

  /** Waited longer than --queue-timeout for a daemon thread: 504, as mod_wsgi answers;
   *  or no daemon was ready for --connect-timeout, or the backlog was full: 503. */
  expire(status: 503 | 504, why?: string): void {
    const timeout = status === 504 ? "--queue-timeout" : "--connect-timeout, no daemon ready";
    this.context.logError(`request ${this.uri} ${why ?? `timed out in the queue (${timeout})`}`);
    this.events.expired(status);
  }

  /** The pool made this the channel's current request: it is written and runs now. */
  start(channel: WorkerChannel): void {
    this.channel = this.ranOn = channel;
    this.startedAt = channel.since;
    this.timers.arm(channel);
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
    this.ranOn = channel;
    this.startedAt = channel.since;
    this.timers.arm(channel);
  }

  /** Where and when it ran: read only by telemetry, after the request. */
  get timing(): SessionTiming {
    return sessionTiming(this.queueStart, this.queuedAt, this.ranOn, this.startedAt);
  }

  recalled(): void {
    this.ahead = false;
    this.timers.clear();
    this.channel = null;
  }

  /** Writes the head, and the body when it is known in full; false when the head could
   *  not be encoded (the client has been answered 500). */
  private send(channel: WorkerChannel): boolean {
    let head: Buffer[];
    try {
      head = headFrames(channel, this.request, this.queueStart);
    } catch (error) {
      this.events.unsendable(`request ${this.uri}: ${String(error)}`);
      return false;
    }
    // A body known in full at dispatch (none at all, or read ahead) goes out with the
    // head in one write: one syscall here and one wake-up of the daemon thread, not two.
    const whole = this.request.expectContinue ? null : this.request.wholeBody();
    if (whole !== null) {
      channel.write(...head, ...wholeBodyFrames(whole));
      return true;
    }
    channel.write(...head);
    if (!this.request.expectContinue) this.request.streamBody();
    return true;
  }

  sendBody(chunk: Buffer): boolean {
    return this.channel === null ? true : writeBodyFrames(this.channel, chunk);
  }

  /** The front end neither reads the file back nor copies it into the daemon's socket. */
  sendBodyFile(body: SpooledBody): void {
    this.channel?.write(bodyFileFrame(body));
  }

  endBody(aborted: boolean): void {
    this.channel?.write(aborted ? BODY_ABORT : BODY_END);
  }

  hold(piece: Buffer): HeldPiece {
    return holdPiece(piece);
  }

  /** The client is slow: the daemon's output waits in its socket until it catches up. */
  pause(): () => void {
    const channel = this.channel;
    channel?.pause();
    this.waitingForClient = true;
    return () => {
      this.waitingForClient = false;
      // Only while the channel still carries this request: once released it was
      // resumed, and it may since be paused for another request's slow client.
      if (channel && this.channel === channel) channel.resume();
    };
  }

  cancel(clientGone: boolean): void {
    this.cancelled = true;
    const channel = this.channel;
    if (!clientGone || channel === null || this.finished) return;
    this.context.abort(channel.pid, this.id);
    if (this.ahead) {
      // Not started: it is called back, so that it never runs (as a queued one).
      this.context.withdraw(channel);
      return;
    }
    this.request.abortBody();
    // Paused for a client that is now gone: its 'drain' never comes, and the daemon
    // thread would block writing the rest. Take (and drop) the output instead.
    this.waitingForClient = false;
    channel.resume();
  }

  /** 504 (or a cut response) at once; the thread is interrupted by the pool. */
  private onTimeout(why: string, channel: WorkerChannel): void {
    if (this.finished || this.channel !== channel) return;
    this.context.logError(
      `request ${this.uri} ${why}; answered 504, interrupting thread ${channel.thread} of daemon ${channel.pid}`,
    );
    this.events.timedOut();
    this.context.timedOut(channel, this.id);
  }

  onDrain(): void {
    this.events.bodyDrained();
  }

  onFrame(frame: Frame): void {
    this.timers.heard();
    switch (frame.type) {
      case FrameType.RESPONSE_HEAD:
        this.onResponseHead(frame.payload);
        return;
      case FrameType.RESPONSE_BODY:
        this.events.responseBody(frame.payload);
        return;
      case FrameType.RESPONSE_END:
        this.onEnd(null);
        return;
      case FrameType.RESPONSE_ERROR:
        this.onEnd(decodeErrorMessage(frame.payload));
        return;
      case FrameType.BODY_WANTED:
        this.events.bodyWanted();
        return;
      default:
        this.channel?.close(`unexpected frame 0x${frame.type.toString(16)} during a request`);
    }
  }

  private onResponseHead(payload: Buffer): void {
    let head;
    try {
      head = decodeResponseHead(payload);
    } catch (error) {
      this.events.invalidResponseHead(String(error));
      return;
    }
    this.events.responseHead(head);
  }

  private onEnd(error: AppFailure | null): void {
    this.finished = true;
    this.timers.clear();
    this.events.responseEnd(error);
    const channel = this.channel;
    this.channel = null;
    if (channel) this.context.release(channel);
    this.events.done();
  }

  onChannelLost(reason: string): void {
    this.channel = null;
    this.timers.clear();
    const wasFinished = this.finished;
    this.finished = true;
    this.events.lost(`daemon connection lost during a request: ${reason}`, wasFinished);
  }

  private get uri(): string {
    return this.request.environ.REQUEST_URI ?? "";
  }
}
