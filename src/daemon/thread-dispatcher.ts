/**
 * The request side of the pool: hands each request to an idle daemon thread, or ahead
 * to a busy one (dispatch-ahead.ts), or to the queue, and takes each thread back when
 * its request ends. The processes' lives (start, replacement, exit) are lifecycle/'s.
 */
import type { ServerConfig } from "../config/server-config.js";
import type { Recalled } from "../protocol/messages.js";
import { AheadDispatcher, type AheadHost } from "./dispatch-ahead.js";
import type { PendingRequest } from "./pending-request.js";
import type { DispatchTarget } from "./pool.js";
import { RequestQueue } from "./request-queue.js";
import type { WorkerChannel } from "./worker-channel.js";

/** What the dispatcher needs from the pool around it. */
export interface ProcessHost<P extends DispatchTarget> {
  /** The process a channel belongs to, while it is alive. */
  processOf(channel: WorkerChannel): P | undefined;
  /** A request ended on `daemon`: the recycle rules may start its replacement. */
  afterRequest(daemon: P): void;
  countsAsActivity(path: string): boolean;
  /** A draining process has no request left: stop it. */
  finish(daemon: P): void;
}

export class ThreadDispatcher<P extends DispatchTarget = DispatchTarget> implements AheadHost {
  private readonly idle: WorkerChannel[] = [];
  /** Every open worker channel, of every process. */
  readonly channels: WorkerChannel[] = [];
  private readonly queue: RequestQueue<PendingRequest>;
  private readonly ahead: AheadDispatcher;

  constructor(
    private readonly config: ServerConfig,
    private readonly host: ProcessHost<P>,
    private readonly now: () => number,
  ) {
    this.queue = new RequestQueue(config.daemons.queueTimeout * 1000, now);
    this.ahead = new AheadDispatcher(this, now, config.daemons.queueTimeout * 1000);
  }

  /** To an idle thread; else, past --daemon-backlog waiting already, refused (503);
   *  else ahead on a busy one, when nothing is queued before it; else to the queue. */
  dispatch(request: PendingRequest): void {
    const channel = this.takeIdle();
    if (channel) this.begin(request, channel);
    else if (this.waitingCount >= this.config.daemons.backlog) this.refuse(request);
    else if (this.queue.length > 0 || !this.ahead.place(request)) this.queue.push(request);
  }

  /** mod_wsgi's daemon socket has a listen backlog (--daemon-backlog): past it the front
   *  end's connect fails and the client gets 503. Here the backlog is what waits for a
   *  thread (queued, or written ahead and not started), and a request past it is refused
   *  at once rather than left to its --queue-timeout. */
  private refuse(request: PendingRequest): void {
    const backlog = String(this.config.daemons.backlog);
    request.expire(
      503,
      `refused: ${backlog} requests already wait for a thread (--daemon-backlog)`,
    );
  }

  /** A thread connected: it is idle. */
  add(channel: WorkerChannel): void {
    this.channels.push(channel);
    this.freed(channel);
  }

  /** The request on `channel` is finished in both directions. */
  release(channel: WorkerChannel): void {
    const daemon = this.host.processOf(channel);
    daemon?.countRequest(this.now(), channel.countsActivity);
    channel.release();
    if (channel.isClosed || !daemon) return;
    // A recycle it triggers only starts the replacement: this process serves on until then.
    if (daemon.acceptsRequests) this.host.afterRequest(daemon);
    const promoted = this.ahead.promote(channel);
    if (promoted) this.begin(promoted, channel, true);
    else this.freed(channel);
  }

  /** `channel` has no request: it takes the next queued one, or waits idle. */
  freed(channel: WorkerChannel): void {
    const daemon = this.host.processOf(channel);
    if (channel.isClosed || !daemon) return;
    if (!daemon.acceptsRequests) {
      if (daemon.activeRequests === 0) this.host.finish(daemon);
      return;
    }
    const next = this.queue.shift();
    if (next) {
      this.begin(next, channel);
      // Every thread is busy and requests queue: one stuck behind a long request elsewhere
      // came before all of them, and goes to the head of the queue (saturated fairness).
      this.ahead.rebalance();
      return;
    }
    this.idle.push(channel);
    this.ahead.rebalance();
  }

  /** The channel broke: it takes no more requests; one waiting ahead on it goes elsewhere. */
  remove(channel: WorkerChannel): void {
    for (const list of [this.idle, this.channels]) {
      const index = list.indexOf(channel);
      if (index !== -1) list.splice(index, 1);
    }
    this.ahead.lost(channel);
  }

  /** No new requests for `daemon`; those written ahead to it are called back. */
  stopDispatching(daemon: DispatchTarget): void {
    for (let i = this.idle.length - 1; i >= 0; i--) {
      if (this.idle[i]?.pid === daemon.pid) this.idle.splice(i, 1);
    }
    this.ahead.recallFrom(daemon.channels);
  }

  /** The daemon's answer to a RECALL. */
  answered(daemon: DispatchTarget, { id, thread, recalled }: Recalled): void {
    for (const channel of daemon.channels) {
      if (channel.thread === thread) this.ahead.answered(channel, id, recalled);
    }
  }

  /** The client of a request written ahead went away: it need not run at all. */
  withdraw(channel: WorkerChannel): void {
    this.ahead.sweep(channel);
  }

  /** The --queue-timeout / --connect-timeout sweep (supervisor.ts); requests that
   *  waited ahead too long are recalled. */
  expireWaiting(unservedMs: number): void {
    this.queue.expireLate(unservedMs);
    this.ahead.sweep();
  }

  stop(): void {
    this.ahead.stop();
  }

  get idleCount(): number {
    return this.idle.length;
  }

  get queuedCount(): number {
    return this.queue.length;
  }

  /** Requests waiting for a thread: in the queue, or written ahead and not started. */
  get waitingCount(): number {
    return this.queue.length + this.ahead.waitingCount;
  }

  /** Not to a process on its way out, nor past --maximum-requests (counting the requests
   *  it is running). */
  mayRunAhead(channel: WorkerChannel): boolean {
    const daemon = this.host.processOf(channel);
    if (!daemon?.acceptsRequests || daemon.retiring !== null) return false;
    const max = this.config.daemons.maximumRequests;
    return max === 0 || daemon.requests + daemon.activeRequests < max;
  }

  sendRecall(channel: WorkerChannel, id: string): void {
    this.host.processOf(channel)?.control?.recall(id, channel.thread);
  }

  /** A recalled request: to an idle thread, else back at the head of the queue (it
   *  came before everything queued). */
  redispatch(request: PendingRequest): void {
    const channel = this.takeIdle();
    if (channel) this.begin(request, channel);
    else this.queue.unshift(request);
  }

  /** Makes `request` the channel's current one: written now, or promoted from ahead
   *  (already written); then queued requests may be written ahead of it. */
  private begin(request: PendingRequest, channel: WorkerChannel, promoted = false): void {
    const now = this.now();
    channel.assign(request, now);
    channel.countsActivity = this.host.countsAsActivity(request.path);
    if (channel.countsActivity) this.host.processOf(channel)?.noteActivity(now);
    if (promoted) request.promoted(channel);
    else request.start(channel);
    this.ahead.fillFrom(channel, this.queue);
  }

  private takeIdle(): WorkerChannel | undefined {
    let channel = this.idle.pop();
    while (channel?.isClosed) channel = this.idle.pop();
    return channel;
  }
}
