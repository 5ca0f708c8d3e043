/**
 * A daemon that keeps dying soon after it starts is restarted after a growing delay,
 * not in a tight loop (mod_wsgi re-forks at once; a crash loop there spins the CPU).
 */

const QUICK_DEATH_MS = 2_000;
const FIRST_DELAY_MS = 100;
const MAX_DELAY_MS = 10_000;

export class RespawnBackoff {
  private quickDeaths = 0;

  /** Delay before the next start, given when the dead process had started. */
  next(now: number, startedAt: number): number {
    if (now - startedAt > QUICK_DEATH_MS) {
      this.quickDeaths = 0;
      return 0;
    }
    this.quickDeaths += 1;
    return Math.min(FIRST_DELAY_MS * 2 ** (this.quickDeaths - 1), MAX_DELAY_MS);
  }
}
