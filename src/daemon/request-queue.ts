/**
 * Requests waiting for an idle daemon thread. The front end owns the queue, so it can
 * shed load with a proper status and a daemon restart never drops a queued request.
 */

export interface QueuedRequest {
  /** When the request entered the queue (ms, monotonic clock). */
  readonly queuedAt: number;
  /** False once the client went away or the request was answered otherwise. */
  readonly wanted: boolean;
  /** Answers the request without a daemon: 504 when it waited longer than
   *  --queue-timeout, 503 when no daemon was ready for --connect-timeout or when it
   *  found --daemon-backlog requests waiting; `why` says which for the error log. */
  expire(status: 503 | 504, why?: string): void;
}

export class RequestQueue<T extends QueuedRequest> {
  private items: T[] = [];
  private head = 0;

  constructor(
    private readonly timeoutMs: number,
    private readonly now: () => number,
  ) {}

  get length(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  /** Puts `item` first: it was dispatched before everything queued (a request recalled
   *  from ahead, or taken and put back). */
  unshift(item: T): void {
    if (this.head > 0) this.items[--this.head] = item;
    else this.items.unshift(item);
  }

  /** The oldest request still wanted and in time; expired ones are answered on the way. */
  shift(): T | undefined {
    while (this.head < this.items.length) {
      const item = this.items[this.head++] as T;
      this.compact();
      if (!item.wanted) continue;
      if (this.isLate(item)) {
        item.expire(504);
        continue;
      }
      return item;
    }
    return undefined;
  }

  /** Answers every request that waited too long (called from a periodic sweep); with
   *  `unservedMs`, also (503) those that waited that long while no daemon was ready. */
  expireLate(unservedMs = 0): void {
    const keep: T[] = [];
    for (let i = this.head; i < this.items.length; i++) {
      const item = this.items[i] as T;
      if (!item.wanted) continue;
      if (this.isLate(item)) item.expire(504);
      else if (unservedMs > 0 && this.now() - item.queuedAt > unservedMs) item.expire(503);
      else keep.push(item);
    }
    this.items = keep;
    this.head = 0;
  }

  private isLate(item: T): boolean {
    return this.timeoutMs > 0 && this.now() - item.queuedAt > this.timeoutMs;
  }

  private compact(): void {
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }
}
