/**
 * --shutdown-delay: after a stop signal, the listener stays open for a while, readiness
 * answering 503, before the drain starts. An orchestrator sends SIGTERM and takes the pod
 * out of its load balancers at the same time, and the balancers learn of it a moment
 * later; closing the listener at once would refuse the requests sent in that moment
 * (kube-apiserver's --shutdown-delay-duration exists for the same reason).
 */

export interface DelayTimers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const REAL_TIMERS: DelayTimers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => {
    clearTimeout(handle as NodeJS.Timeout);
  },
};

/** Resolves after `seconds`, or at once when `forced` (a second signal) comes first. */
export function shutdownDelay(
  seconds: number,
  forced: Promise<void>,
  timers: DelayTimers = REAL_TIMERS,
): Promise<void> {
  if (seconds <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const handle = timers.setTimeout(resolve, seconds * 1000);
    void forced.then(() => {
      timers.clearTimeout(handle);
      resolve();
    });
  });
}
