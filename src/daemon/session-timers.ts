/**
 * A running request's two deadlines, as mod_wsgi has them: --request-timeout from the
 * moment a thread takes it, and --socket-timeout of silence from the daemon, which does
 * not count while a slow client holds the response back. Silence is checked lazily: a
 * frame only notes the time, and the timer, when it fires early, waits out the rest.
 */
import { systemTimers, type TimerHandle, type Timers } from "../process/timers.js";

/** The two timer calls a session makes. */
export type SessionTimerCalls = Pick<Timers, "setTimeout" | "clearTimeout">;

export interface SessionClock {
  /** Milliseconds, monotonic. */
  readonly now: () => number;
  /** --request-timeout and --socket-timeout in ms; 0: none. */
  readonly requestTimeoutMs: number;
  readonly socketTimeoutMs: number;
  /** The global timers unless a test passes its own. */
  readonly timers?: SessionTimerCalls;
}

export class SessionTimers<Owner = unknown> {
  private deadline: TimerHandle | null = null;
  private silence: TimerHandle | null = null;
  private lastHeard = 0;
  private readonly timers: SessionTimerCalls;

  constructor(
    private readonly clock: SessionClock,
    /** True while the client, not the daemon, is what the response waits for. */
    private readonly waitingForClient: () => boolean,
    private readonly expired: (why: string, owner: Owner) => void,
  ) {
    this.timers = clock.timers ?? systemTimers;
  }

  /** The request started running for `owner` (its channel): both clocks start. */
  arm(owner: Owner): void {
    this.clear();
    const { requestTimeoutMs, socketTimeoutMs } = this.clock;
    if (requestTimeoutMs > 0) {
      this.deadline = this.timers.setTimeout(() => {
        this.deadline = null;
        this.expired("ran longer than --request-timeout", owner);
      }, requestTimeoutMs);
    }
    if (socketTimeoutMs > 0) {
      this.lastHeard = this.clock.now();
      this.watchSilence(owner, socketTimeoutMs);
    }
  }

  /** The daemon sent something. */
  heard(): void {
    this.lastHeard = this.clock.now();
  }

  clear(): void {
    if (this.deadline !== null) this.timers.clearTimeout(this.deadline);
    if (this.silence !== null) this.timers.clearTimeout(this.silence);
    this.deadline = null;
    this.silence = null;
  }

  private watchSilence(owner: Owner, ms: number): void {
    this.silence = this.timers.setTimeout(() => {
      this.silence = null;
      const limit = this.clock.socketTimeoutMs;
      if (this.waitingForClient()) {
        this.lastHeard = this.clock.now();
        this.watchSilence(owner, limit);
        return;
      }
      const quiet = this.clock.now() - this.lastHeard;
      if (quiet < limit) this.watchSilence(owner, limit - quiet);
      else this.expired("got nothing from the daemon for --socket-timeout", owner);
    }, ms);
  }
}
