import type { QueuedRequest } from "./request-queue.js";
import type { ChannelUser, WorkerChannel } from "./worker-channel.js";

/** A request as the pool sees it: it can wait in the queue, or ahead on a busy thread's
 *  channel, and later be given a thread. */
export interface PendingRequest extends QueuedRequest, ChannelUser {
  readonly id: string;
  /** SCRIPT_NAME + PATH_INFO, for --ignore-activity. */
  readonly path: string;
  /** Its body is known in full at dispatch (none, or read ahead) and it waits for no
   *  100 Continue: it can be written ahead, head and body in one write. */
  readonly sendsWhole: boolean;
  /** Writes it to the channel the pool has made it the current request of. */
  start(channel: WorkerChannel): void;
  /** Writes it to a busy channel, to run after the current request; false when it
   *  could not be encoded (it has been answered). */
  startAhead(channel: WorkerChannel): boolean;
  /** The request written ahead is now its channel's current one. */
  promoted(channel: WorkerChannel): void;
  /** The request written ahead will not run there: it is on no channel now. */
  recalled(): void;
}
