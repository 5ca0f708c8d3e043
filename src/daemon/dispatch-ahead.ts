/**
 * Dispatch ahead. When no daemon thread is idle, a request whose body is known in full
 * is written to a busy thread's connection, to run as soon as the thread's current
 * request ends: the thread finds it in its socket instead of sleeping until the front
 * end's next turn (bench/PROFILE.md: about +20 % requests/s, -16 % CPU per request).
 *
 * Waiting there must never cost the request more than waiting in the queue would, so a
 * request ahead that has not started is recalled (RECALL, answered at once by RECALLED)
 * when another thread goes idle while the request before it runs long, when its process
 * starts draining, when it passes --queue-timeout, and when its client leaves; and it
 * is dispatched again, not lost, if its connection breaks before it started. Its
 * request timers start only when it becomes its thread's current request.
 */
import type { PendingRequest } from "./thread-dispatcher.js";
import type { WorkerChannel } from "./worker-channel.js";

/** A request is written ahead only behind one that has run less than this; one waiting
 *  behind a request that has run longer is recalled as soon as a thread is idle. */
export const RECALL_AFTER_MS = 2;

/** Why a request ahead was recalled: what becomes of it when the daemon says yes. */
export type RecallReason = "rebalance" | "drain" | "queue-timeout" | "client-gone";

/** What the dispatcher needs from the pool. */
export interface AheadHost {
  /** Every open worker channel, of every process. */
  readonly channels: readonly WorkerChannel[];
  readonly idleCount: number;
  /** False for a process that is draining, retiring or at --maximum-requests. */
  mayRunAhead(channel: WorkerChannel): boolean;
  sendRecall(channel: WorkerChannel, id: string): void;
  /** The request, recalled from a channel, goes to another thread (or the queue). */
  redispatch(request: PendingRequest): void;
  /** The channel's current request was recalled as it became current: it is free. */
  freed(channel: WorkerChannel): void;
}

export class AheadDispatcher {
  /** Requests written ahead and not yet their thread's current one, by channel. */
  private readonly waiting = new Map<WorkerChannel, PendingRequest>();
  /** Recalls sent and not yet answered, by channel: at most one per channel. */
  private readonly recalls = new Map<
    WorkerChannel,
    { request: PendingRequest; reason: RecallReason }
  >();
  private cursor = 0;
  private rebalanceTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly host: AheadHost,
    private readonly now: () => number,
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
      if (now - channel.since < RECALL_AFTER_MS && this.mayHold(channel)) {
        return this.hold(channel, request);
      }
    }
    return false;
  }

  /** Writes the queue's next request ahead on a channel that just took a new current
   *  one, when it qualifies; true when the channel took `request`. */
  refill(channel: WorkerChannel, request: PendingRequest): boolean {
    return request.sendsWhole && this.mayHold(channel) && this.hold(channel, request);
  }

  /** A channel can hold a request ahead: busy with a request whose body is all sent,
   *  holding none yet, no recall outstanding, and not deadline-struck. */
  mayHold(channel: WorkerChannel): boolean {
    return (
      channel.busy &&
      !channel.isClosed &&
      !channel.stale &&
      channel.bodySent &&
      !this.waiting.has(channel) &&
      !this.recalls.has(channel) &&
      this.host.mayRunAhead(channel)
    );
  }

  private hold(channel: WorkerChannel, request: PendingRequest): boolean {
    // False: it could not be encoded and has been answered already (500).
    if (request.startAhead(channel)) this.waiting.set(channel, request);
    return true;
  }

  /** The channel's current request ended: the request ahead, if any, is now current. */
  promote(channel: WorkerChannel): PendingRequest | null {
    const request = this.waiting.get(channel);
    if (request === undefined) return null;
    this.waiting.delete(channel);
    return request;
  }

  /** Asks the daemon to cancel the request waiting on `channel`, if there is one. */
  recall(channel: WorkerChannel, reason: RecallReason): void {
    const request = this.waiting.get(channel);
    if (request === undefined || this.recalls.has(channel)) return;
    this.recalls.set(channel, { request, reason });
    this.host.sendRecall(channel, request.id);
  }

  /** The daemon's answer. No: it started (or will), and runs there. Yes: it never will,
   *  so it leaves the channel, even if it became current meanwhile. */
  answered(channel: WorkerChannel, id: string, recalled: boolean): void {
    const pending = this.recalls.get(channel);
    if (pending?.request.id !== id) return;
    this.recalls.delete(channel);
    if (!recalled) return;
    const { request, reason } = pending;
    if (this.waiting.get(channel) === request) this.waiting.delete(channel);
    else if (channel.unassign(request)) this.host.freed(channel);
    this.resend(request, reason);
  }

  /** The channel broke: a request waiting on it never started, so it goes elsewhere. */
  lost(channel: WorkerChannel): void {
    const request = this.waiting.get(channel);
    this.waiting.delete(channel);
    this.recalls.delete(channel);
    if (request !== undefined) this.resend(request, "rebalance");
  }

  private resend(request: PendingRequest, reason: RecallReason): void {
    request.recalled();
    if (!request.wanted) return;
    if (reason === "queue-timeout") request.expire(504);
    else this.host.redispatch(request);
  }

  /** Recalls every request waiting on a channel of `channels` (a draining process's). */
  recallFrom(channels: Iterable<WorkerChannel>): void {
    for (const channel of channels) this.recall(channel, "drain");
  }

  /** A thread is idle: recall requests waiting behind one that has run long, now, or
   *  once it has (one timer). */
  rebalance(): void {
    if (this.host.idleCount === 0 || this.waiting.size === 0) return;
    let soonest = Infinity;
    const now = this.now();
    for (const channel of this.waiting.keys()) {
      const age = now - channel.since;
      if (age >= RECALL_AFTER_MS) this.recall(channel, "rebalance");
      else soonest = Math.min(soonest, RECALL_AFTER_MS - age);
    }
    if (soonest === Infinity || this.rebalanceTimer !== undefined) return;
    this.rebalanceTimer = setTimeout(() => {
      this.rebalanceTimer = undefined;
      this.rebalance();
    }, Math.ceil(soonest));
    this.rebalanceTimer.unref();
  }

  /** Recalls requests that waited ahead longer than --queue-timeout (they are answered
   *  504 if the recall succeeds, as in the queue); from the pool's periodic sweep. */
  expireLate(timeoutMs: number): void {
    if (timeoutMs <= 0) return;
    const now = this.now();
    for (const [channel, request] of this.waiting) {
      if (now - request.queuedAt > timeoutMs) this.recall(channel, "queue-timeout");
    }
  }

  stop(): void {
    clearTimeout(this.rebalanceTimer);
  }
}
