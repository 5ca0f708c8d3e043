/**
 * How long a CGI script may keep us waiting (Apache's Timeout, which mod_cgi and mod_cgid
 * apply to each read of the script's output): restarted by each piece of output, and
 * paused while the client, not the script, is what we wait for (its back-pressure).
 */
import type { TimerHandle, Timers } from "../process/timers.js";

export class IdleTimer {
  private handle: TimerHandle | undefined;
  private stopped = false;

  constructor(
    private readonly timers: Timers,
    private readonly ms: number,
    private readonly onIdle: () => void,
  ) {}

  /** (Re)starts the wait: output was just heard, or the client is ready again. */
  restart(): void {
    if (this.stopped) return;
    this.timers.clearTimeout(this.handle);
    this.handle = this.timers.setTimeout(() => {
      this.handle = undefined;
      this.stopped = true;
      this.onIdle();
    }, this.ms);
  }

  /** The client is behind: the script is not the one keeping us waiting. */
  pause(): void {
    this.timers.clearTimeout(this.handle);
    this.handle = undefined;
  }

  stop(): void {
    this.stopped = true;
    this.pause();
  }
}
