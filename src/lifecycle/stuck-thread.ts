/**
 * mod_wsgi's --interrupt-timeout (reference §6.3): a request past --request-timeout has
 * had mod_wsgi.RequestTimeout raised in its thread; if the thread has not left that
 * request within --interrupt-timeout (0: at once), its process is replaced gracefully
 * (the other threads' requests finish). One rule for daemon and embedded mode.
 */
import type { Timers } from "../process/timers.js";

/** What the rule reads of the thread's channel (daemon/worker-channel.ts). */
export interface ThreadChannel {
  readonly busy: boolean;
  /** Counts the requests the channel has begun: another one means the stuck one ended. */
  readonly serial: number;
  readonly isClosed: boolean;
}

/** Calls `onStuck` once if `channel` is still in the same request `graceSeconds` from
 *  now (the timer does not keep the process alive). */
export function whenStuck(
  channel: ThreadChannel,
  graceSeconds: number,
  timers: Timers,
  onStuck: () => void,
): void {
  const serial = channel.serial;
  const check = (): void => {
    if (channel.busy && channel.serial === serial && !channel.isClosed) onStuck();
  };
  if (graceSeconds === 0) check();
  else timers.setTimeout(check, graceSeconds * 1000).unref();
}
