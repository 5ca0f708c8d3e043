/**
 * The supervisor's one loop: events are queued and handled one at a time, each to the
 * end (an async handler is awaited) before the next starts, so that no two handlers
 * interleave. uvicorn's supervisor works the same way off a signal queue. An event posted
 * while the loop is idle is handled at once, within post().
 */

export class EventQueue<E> {
  private readonly queue: E[] = [];
  private running = false;

  constructor(
    private readonly handle: (event: E) => void | Promise<void>,
    /** A handler threw: the loop logs it and goes on with the next event. */
    private readonly onError: (error: unknown) => void,
  ) {}

  post(event: E): void {
    this.queue.push(event);
    if (!this.running) void this.run();
  }

  /** An event is being handled (an async one may be awaiting I/O). */
  get busy(): boolean {
    return this.running;
  }

  private async run(): Promise<void> {
    this.running = true;
    try {
      for (let event = this.queue.shift(); event !== undefined; event = this.queue.shift()) {
        try {
          const done = this.handle(event);
          if (done) await done;
        } catch (error) {
          this.onError(error);
        }
      }
    } finally {
      this.running = false;
    }
  }
}
