/**
 * The clock and timers the supervisor runs on, passed in so that its rules are unit
 * tested with node:test's mock timers (which replace the globals, so the system timers
 * below look them up on each call rather than keeping a reference).
 */

export type TimerHandle = ReturnType<typeof setTimeout>;

export interface Timers {
  /** Monotonic milliseconds. */
  now(): number;
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle | undefined): void;
  setInterval(callback: () => void, ms: number): TimerHandle;
  clearInterval(handle: TimerHandle | undefined): void;
}

export const systemTimers: Timers = {
  now: () => performance.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => {
    clearTimeout(handle);
  },
  setInterval: (callback, ms) => setInterval(callback, ms),
  clearInterval: (handle) => {
    clearInterval(handle);
  },
};
