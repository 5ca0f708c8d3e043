/**
 * --slow-requests: the most recent requests over the threshold, each with its phases and
 * the process and thread that ran it, kept in a ring of fixed size so a burst of slow
 * requests costs bounded memory.
 */
import type { RequestRecord } from "./records.js";

export interface SlowRequest {
  /** When it ended, in seconds since the epoch. */
  readonly time: number;
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly userAgent?: string;
  readonly pid: number | null;
  readonly thread: number | null;
  /** Seconds in each phase, and in all. */
  readonly server: number;
  readonly queue: number;
  readonly application: number | null;
  readonly total: number;
}

export class SlowRequests {
  private readonly ring: SlowRequest[] = [];
  private next = 0;

  constructor(
    /** Seconds; a request taking longer is kept. */
    readonly threshold: number,
    /** Seconds since the epoch. */
    private readonly wallClock: () => number,
    private readonly capacity = 100,
  ) {}

  /** Keeps `request` if it was slow: its entry, or null. */
  offer(request: RequestRecord): SlowRequest | null {
    if (request.total <= this.threshold) return null;
    const { method, path, status, pid, thread, server, queue, application, total } = request;
    const entry: SlowRequest = {
      time: this.wallClock(),
      method,
      path,
      status,
      ...(request.userAgent === null ? {} : { userAgent: request.userAgent }),
      pid,
      thread,
      server,
      queue,
      application,
      total,
    };
    if (this.ring.length < this.capacity) this.ring.push(entry);
    else this.ring[this.next] = entry;
    this.next = (this.next + 1) % this.capacity;
    return entry;
  }

  /** The kept requests, oldest first. */
  recent(): SlowRequest[] {
    if (this.ring.length < this.capacity) return [...this.ring];
    return [...this.ring.slice(this.next), ...this.ring.slice(0, this.next)];
  }
}
