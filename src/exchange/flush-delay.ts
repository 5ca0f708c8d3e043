/**
 * --response-flush-delay: a streamed response's small pieces are held (the client's
 * socket corked) until the daemon has sent nothing more for the delay, then leave in one
 * write. mod_wsgi's front end does the same when relaying a daemon's response
 * (wsgi_remote.c, wsgi_transfer_response): when a read from the daemon would block it
 * waits up to the flush delay for more before passing a flush down, so a stream of tiny
 * yields does not become one packet (and one system call) each. 0 flushes on every stall.
 * Holding stops at FLUSH_LIMIT bytes, as Apache's core output filter writes out once that
 * much is buffered, and whenever the response ends.
 */
import type { Corkable } from "../turn-batch.js";

/** The timers the delay runs on: the system's, or node:test's mock timers in tests. */
export interface FlushTimers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemFlushTimers: FlushTimers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => {
    clearTimeout(handle as NodeJS.Timeout);
  },
};

/** Apache's THRESHOLD_MAX_BUFFER: past this much held, it goes out at once. */
export const FLUSH_LIMIT = 64 * 1024;

export class FlushDelay {
  private corked = false;
  private timer: unknown = null;
  private held = 0;

  constructor(
    private readonly stream: Corkable,
    private readonly delayMs: number,
    private readonly timers: FlushTimers = systemFlushTimers,
  ) {}

  /** Before a piece is written: hold it, until the daemon has been quiet for the delay. */
  before(): void {
    if (this.delayMs === 0) return;
    if (this.corked) this.timers.clearTimeout(this.timer);
    else {
      this.corked = true;
      this.stream.cork();
    }
    this.timer = this.timers.setTimeout(() => {
      this.timer = null;
      this.release();
    }, this.delayMs);
  }

  /** After a piece of `size` bytes was written: enough held goes out now. */
  after(size: number): void {
    if (!this.corked) return;
    this.held += size;
    if (this.held >= FLUSH_LIMIT) this.release();
  }

  /** Writes what is held, now: the daemon was quiet, the response ended, or it was cut
   *  or answered otherwise. */
  release(): void {
    if (!this.corked) return;
    if (this.timer !== null) this.timers.clearTimeout(this.timer);
    this.timer = null;
    this.held = 0;
    this.corked = false;
    this.stream.uncork();
  }
}
