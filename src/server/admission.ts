/**
 * --max-clients as Apache means it: the most requests in progress at once. A request past
 * the cap waits here, its body unread, until one finishes; connections that are idle or
 * still sending their head never count, since they cost the event loop almost nothing.
 */
import type { ServerResponse } from "node:http";

export class Admission {
  private active = 0;
  private readonly waiting: { res: ServerResponse; start: () => void }[] = [];

  constructor(private readonly limit: number) {}

  get inProgress(): number {
    return this.active;
  }

  get queued(): number {
    return this.waiting.length;
  }

  /** Runs `start` now, or once a slot frees; the slot is held until `res` ends. */
  admit(res: ServerResponse, start: () => void): void {
    if (this.active < this.limit) this.run(res, start);
    else this.waiting.push({ res, start });
  }

  private run(res: ServerResponse, start: () => void): void {
    this.active += 1;
    let freed = false;
    const free = (): void => {
      if (freed) return;
      freed = true;
      this.active -= 1;
      this.next();
    };
    res.once("finish", free);
    res.once("close", free);
    start();
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
