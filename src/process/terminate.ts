/**
 * The one way a child process (a daemon or a service script) is ended: asked politely
 * (SIGTERM, or the daemon's SHUTDOWN message), then SIGKILL once the grace period has
 * passed (--shutdown-timeout, as mod_wsgi's shutdown-timeout), and always reaped through
 * its 'exit' event. Whether the kill had to be forced is recorded, and logged once.
 */
import type { Timers, TimerHandle } from "./timers.js";

/** What ending a child needs of it (a ChildProcess, or a fake in the unit tests). */
export interface KillableChild {
  kill(signal: NodeJS.Signals): boolean;
  once(event: "exit", listener: () => void): unknown;
}

export class Termination {
  private timer: TimerHandle | undefined;
  private exited = false;
  private begun = false;
  /** The grace period ran out: it was sent SIGKILL. */
  forced = false;

  constructor(
    private readonly child: KillableChild,
    private readonly timers: Timers,
    /** Told once, when the grace period ran out and SIGKILL was sent. */
    private readonly onForced: (graceMs: number) => void,
  ) {
    child.once("exit", () => {
      this.exited = true;
      this.timers.clearTimeout(this.timer);
    });
  }

  /** Asks it to stop (`ask`, SIGTERM unless given), and kills it if it is still alive
   *  after `graceMs`. Only the first call does anything. */
  begin(graceMs: number, ask?: () => void): void {
    if (this.begun || this.exited) return;
    this.begun = true;
    if (ask) ask();
    else this.child.kill("SIGTERM");
    this.timer = this.timers.setTimeout(() => {
      if (this.exited) return;
      this.forced = true;
      this.onForced(graceMs);
      this.child.kill("SIGKILL");
    }, graceMs);
  }

  /** SIGKILL at once: it cannot answer (deadlocked, hung at start-up, a second stop
   *  signal). Not a forced kill in the sense above: nobody waited for it. */
  killNow(): void {
    this.begun = true;
    if (!this.exited) this.child.kill("SIGKILL");
  }
}
