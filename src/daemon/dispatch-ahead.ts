/**
 * Dispatch ahead. When no daemon thread is idle, a request whose body is known in full
 * is written to a busy thread's connection, to run as soon as the requests before it
 * there end: the thread finds it in its socket instead of sleeping until the front end's
 * next turn, and the front end's write does not have to wake it (bench/PROFILE.md).
 *
 * Waiting there must never cost a request more than waiting in the queue would, so a
 * request ahead that has not started is recalled (RECALL, answered at once by RECALLED)
 * when another thread goes idle while the request before it runs long, or another
 * thread takes a queued request while that one has run long, when its process
 * starts draining, when it passes --queue-timeout, and when its client leaves; and it
 * is dispatched again, not lost, if its connection breaks before it started. Its
 * request timers start only when it becomes its thread's current request.
 *
 * Only the last request written to a thread is ever recalled, and nothing is written
 * after it until the daemon has answered. So the daemon's check is simply whether the
 * thread has taken that request, and no response can follow a recalled request on the
 * connection. A request further in is reached by recalling from the tail, one answer
 * at a time (settle()).
 */
import type { RequestQueue } from "./request-queue.js";
import type { PendingRequest } from "./pending-request.js";
import type { WorkerChannel } from "./worker-channel.js";

/** A request is written ahead only to a thread that showed progress (began a request, or
 *  sent something) less than this long ago; what waits on a thread that has shown none
 *  for longer is recalled as soon as another thread is idle. Above CPython's 5 ms GIL
 *  switch interval: a thread waiting for the GIL is not stuck (at 2 ms, nine recalls in
 *  ten came too late, and cost more than dispatch ahead saved). */
export const RECALL_AFTER_MS = 20;

/** What waits on a thread whose current request has run this long is recalled as soon
 *  as another thread is idle, even while that request streams its response. */
export const LONG_REQUEST_MS = 100;

/** Requests a thread may hold ahead of its current one. A write to the socket of a
 *  thread that is busy costs the front end far less than one that wakes it (hello: four
 *  against one, +11 to +41 % requests/s, bench/PROFILE.md). */
export const AHEAD_DEPTH = 4;

/** Why a request ahead was recalled: what becomes of it when the daemon says yes. */
export type RecallReason = "rebalance" | "drain" | "queue-timeout" | "client-gone";

/** What the dispatcher needs from the pool. */
export interface AheadHost {
  /** Every open worker channel, of every process. */
  readonly channels: readonly WorkerChannel[];
  readonly idleCount: number;
  /** Requests in the queue, waiting for a thread. */
  readonly queuedCount: number;
  /** False for a process that is draining, retiring or at --maximum-requests. */
  mayRunAhead(channel: WorkerChannel): boolean;
  sendRecall(channel: WorkerChannel, id: string): void;
  /** The request, recalled from a channel, goes to another thread (or the queue). */
  redispatch(request: PendingRequest): void;
  /** The channel's current request was recalled as it became current: it is free. */
  freed(channel: WorkerChannel): void;
}

export class AheadDispatcher {
  /** Requests written ahead and not yet their thread's current one, in order, by channel. */
  private readonly waiting = new Map<WorkerChannel, PendingRequest[]>();
  /** Recalls sent and not yet answered, by channel: at most one per channel. */
  private readonly recalls = new Map<
    WorkerChannel,
    { request: PendingRequest; reason: RecallReason }
  >();
  /** Requests the daemon refused to recall: their thread has taken them, and so every
   *  request before them; nothing on their channel can be recalled until more is
   *  written behind them. */
  private readonly taken = new WeakSet<PendingRequest>();
  /** Channels of draining processes: everything ahead on them is called back. */
  private readonly draining = new Set<WorkerChannel>();
  private cursor = 0;
  private rebalanceTimer: NodeJS.Timeout | undefined;

  /** Requests written ahead that have not started (--server-status counts them queued). */
  get waitingCount(): number {
    let count = 0;
    for (const list of this.waiting.values()) count += list.length;
    return count;
  }

  constructor(
    private readonly host: AheadHost,
    private readonly now: () => number,
    /** --queue-timeout in ms; 0: none. */
    private readonly queueTimeoutMs: number,
  ) {}

  /** Writes `request` ahead on a busy channel; false when no channel can take it. */
  place(request: PendingRequest): boolean {
    if (!request.sendsWhole) return false;
    const channels = this.host.channels;
    const now = this.now();
    for (let tried = 0; tried < channels.length; tried++) {
      this.cursor = (this.cursor + 1) % channels.length;
      const channel = channels[this.cursor] as WorkerChannel;
      // Behind a request that already runs long, it could wait long: queue it instead.
      if (now - channel.progressAt < RECALL_AFTER_MS && this.mayHold(channel)) {
        return this.hold(channel, request);
      }
    }
    return false;
  }

  /** Writes queued requests ahead on a channel that just took a new current one, in
   *  order, while it can hold more and the next one's body is known in full. */
  fillFrom(channel: WorkerChannel, queue: RequestQueue<PendingRequest>): void {
    while (queue.length > 0 && this.mayHold(channel)) {
      const next = queue.shift();
      if (next === undefined) return;
      if (!next.sendsWhole) {
        queue.unshift(next);
        return;
      }
      this.hold(channel, next);
    }
  }

  /** A channel can hold another request ahead: busy with a request whose body is all
   *  sent, below AHEAD_DEPTH, no recall outstanding, and not deadline-struck. */
  mayHold(channel: WorkerChannel): boolean {
    return (
      channel.busy &&
      !channel.isClosed &&
      !channel.stale &&
      channel.bodySent &&
      (this.waiting.get(channel)?.length ?? 0) < AHEAD_DEPTH &&
      !this.recalls.has(channel) &&
      this.host.mayRunAhead(channel)
    );
  }

  private hold(channel: WorkerChannel, request: PendingRequest): boolean {
    // False: it could not be encoded and has been answered already (500).
    if (!request.startAhead(channel)) return true;
    const list = this.waiting.get(channel);
    if (list) list.push(request);
    else this.waiting.set(channel, [request]);
    return true;
  }

  /** The channel's current request ended: the first request ahead, if any, is now
   *  current. */
  promote(channel: WorkerChannel): PendingRequest | null {
    const list = this.waiting.get(channel);
    const request = list?.shift();
    if (list?.length === 0) this.waiting.delete(channel);
    return request ?? null;
  }

  /** Recalls what must leave `channel`, from its last request ahead: one whose client
   *  left or that is late, or to make way for such a one further in, or all of them
   *  when the process drains or when a thread is idle and the one running has run
   *  RECALL_AFTER_MS. */
  settle(channel: WorkerChannel): void {
    const list = this.waiting.get(channel);
    const last = list?.at(-1);
    if (!list || !last || this.recalls.has(channel) || this.taken.has(last)) return;
    const reason = this.mustLeave(last) ?? this.reasonToMove(channel, list);
    if (reason === null) return;
    this.recalls.set(channel, { request: last, reason });
    this.host.sendRecall(channel, last.id);
  }

  private mustLeave(request: PendingRequest): RecallReason | null {
    if (!request.wanted) return "client-gone";
    if (this.queueTimeoutMs > 0 && this.now() - request.queuedAt > this.queueTimeoutMs) {
      return "queue-timeout";
    }
    return null;
  }

  private reasonToMove(channel: WorkerChannel, list: PendingRequest[]): RecallReason | null {
    if (this.draining.has(channel)) return "drain";
    if (list.some((request) => this.mustLeave(request) !== null)) return "rebalance";
    const now = this.now();
    if (this.host.idleCount > 0) return this.stuck(channel, now) ? "rebalance" : null;
    return this.saturated() && this.runsLong(channel, now) ? "rebalance" : null;
  }

  /** Every thread is busy and requests queue: each thread that frees up takes one from
   *  the queue at once, so none goes idle. What waits behind a long request would be
   *  served sooner from the head of the queue (it came before everything queued). A
   *  thread merely silent for RECALL_AFTER_MS (waiting for the GIL) is not worth a
   *  recall here: the queue gives no idle thread in exchange. */
  private saturated(): boolean {
    return this.host.idleCount === 0 && this.host.queuedCount > 0;
  }

  /** The daemon's answer. No: it started (or will), and runs there. Yes: it never will,
   *  so it leaves the channel, even if it became current meanwhile. Then the channel
   *  may have more to recall. */
  answered(channel: WorkerChannel, id: string, recalled: boolean): void {
    const pending = this.recalls.get(channel);
    if (pending?.request.id !== id) return;
    this.recalls.delete(channel);
    const { request, reason } = pending;
    if (!recalled) {
      this.taken.add(request);
      return;
    }
    const list = this.waiting.get(channel);
    if (list?.at(-1) === request) {
      list.pop();
      if (list.length === 0) this.waiting.delete(channel);
    } else if (channel.unassign(request)) this.host.freed(channel);
    this.resend(request, reason);
    this.settle(channel);
  }

  /** The channel broke: the requests waiting on it never started, so they go
   *  elsewhere (to idle threads, else to the head of the queue, keeping their order
   *  there). */
  lost(channel: WorkerChannel): void {
    const list = this.waiting.get(channel) ?? [];
    this.waiting.delete(channel);
    this.recalls.delete(channel);
    this.draining.delete(channel);
    // redispatch puts a request at the head of the queue: the last one goes first.
    for (const request of list.reverse()) this.resend(request, "rebalance");
  }

  private resend(request: PendingRequest, reason: RecallReason): void {
    request.recalled();
    if (!request.wanted) return;
    if (reason === "queue-timeout") request.expire(504);
    else this.host.redispatch(request);
  }

  /** Calls back every request waiting on `channels` (a draining process's). */
  recallFrom(channels: Iterable<WorkerChannel>): void {
    for (const channel of channels) {
      this.draining.add(channel);
      this.settle(channel);
    }
  }

  /** A thread is idle: recall requests waiting behind one that has run long, now, or
   *  once it has (one timer). Or a thread took a request from the queue (saturated()):
   *  recall those behind a request that has run LONG_REQUEST_MS; the next thread the
   *  queue feeds looks again. */
  rebalance(): void {
    if (this.waiting.size === 0) return;
    const now = this.now();
    if (this.saturated()) {
      for (const channel of this.waiting.keys()) {
        if (this.runsLong(channel, now)) this.settle(channel);
      }
      return;
    }
    if (this.host.idleCount === 0) return;
    let soonest = Infinity;
    for (const channel of this.waiting.keys()) {
      if (this.stuck(channel, now)) this.settle(channel);
      else soonest = Math.min(soonest, RECALL_AFTER_MS - (now - channel.progressAt));
    }
    if (soonest === Infinity || this.rebalanceTimer !== undefined) return;
    this.rebalanceTimer = setTimeout(() => {
      this.rebalanceTimer = undefined;
      this.rebalance();
    }, Math.ceil(soonest));
    this.rebalanceTimer.unref();
  }

  /** The thread has shown no progress for RECALL_AFTER_MS, or its request has run for
   *  LONG_REQUEST_MS: what waits behind it would do better elsewhere. */
  private stuck(channel: WorkerChannel, now: number): boolean {
    return now - channel.progressAt >= RECALL_AFTER_MS || this.runsLong(channel, now);
  }

  private runsLong(channel: WorkerChannel, now: number): boolean {
    return now - channel.since >= LONG_REQUEST_MS;
  }

  /** Recalls requests whose client left or that waited longer than --queue-timeout
   *  (answered 504 then, as in the queue); from the pool's periodic sweep, and at once
   *  for a client that leaves. */
  sweep(channel?: WorkerChannel): void {
    if (channel !== undefined) this.settle(channel);
    else for (const each of this.waiting.keys()) this.settle(each);
  }

  stop(): void {
    clearTimeout(this.rebalanceTimer);
  }
}
