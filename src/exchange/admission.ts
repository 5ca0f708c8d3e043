/**
 * --max-clients as Apache means it: the most requests in progress at once. A request past
 * the cap waits here, its body unread, until one finishes; connections that are idle or
 * still sending their head never count, since they cost the event loop almost nothing.
 * Nor does a response the application has finished while its client reads the rest (from
 * memory or the response spool): Apache's event MPM hands such a response to its
 * listener ("write completion") and frees the worker, and here a few clients that never
 * read would otherwise hold every slot until --response-socket-timeout.
 */
import type { ServerResponse } from "node:http";

/** Runs an admitted request; `leave` gives its slot back early. */
type Start = (leave: () => void) => void;

export class Admission {
  private active = 0;
  private readonly waiting: { res: ServerResponse; start: Start }[] = [];

  constructor(private readonly limit: number) {}

  get inProgress(): number {
    return this.active;
  }

  get queued(): number {
    return this.waiting.length;
  }

  /** Runs `start` now, or once a slot frees; the slot is held until `res` ends, or until
   *  `start`'s argument is called, whichever comes first. */
  admit(res: ServerResponse, start: Start): void {
    if (this.active < this.limit) this.run(res, start);
    else this.waiting.push({ res, start });
  }

  private run(res: ServerResponse, start: Start): void {
    this.active += 1;
    let freed = false;
    const free = (): void => {
      if (freed) return;
      freed = true;
      this.active -= 1;
      this.next();
    };
    // on(), not once(): free() runs its body once anyway, and once() wraps each listener
    // in two objects more per request.
    res.on("finish", free);
    res.on("close", free);
    start(free);
  }

  private next(): void {
    while (this.active < this.limit) {
      const entry = this.waiting.shift();
      if (!entry) return;
      // The client left while waiting: nothing to run.
      if (entry.res.destroyed || entry.res.writableEnded) continue;
      this.run(entry.res, entry.start);
    }
  }
}
