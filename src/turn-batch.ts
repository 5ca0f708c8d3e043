/**
 * Holds a stream's writes (cork) until the end of the current event-loop turn, so the
 * many writes one turn brings (a large body arriving as 64 KiB socket reads) leave in one
 * writev instead of one system call each. Request bodies to a daemon and response bodies
 * to a client both go through one.
 */
export interface Corkable {
  cork(): void;
  uncork(): void;
}

export class TurnBatch {
  private held = false;

  constructor(private readonly stream: Corkable) {}

  /** Corks the stream, unless it already is, until this turn of the event loop ends. */
  hold(): void {
    if (this.held) return;
    this.held = true;
    this.stream.cork();
    setImmediate(() => {
      this.release();
    });
  }

  /** Writes what is held, now. */
  release(): void {
    if (!this.held) return;
    this.held = false;
    this.stream.uncork();
  }
}
