/**
 * The daemon backend as the request side sees it. The processes' lives (spawn,
 * replacement, recycling, exits) are src/lifecycle/'s (daemon-pool.ts implements
 * DaemonPool); this folder only dispatches requests to the threads of processes that
 * look like DispatchTarget, so it never imports lifecycle/.
 */
import type { ControlChannel } from "./control-channel.js";
import type { PendingRequest } from "./pending-request.js";
import type { WorkerChannel } from "./worker-channel.js";

/** What the front end asks of the daemon processes. */
export interface DaemonPool {
  dispatch(request: PendingRequest): void;
  /** The request on `channel` is finished in both directions. */
  release(channel: WorkerChannel): void;
  /** Tells the daemon running request `id` that its client went away. */
  abort(pid: number, id: string): void;
  /** The client of a request written ahead went away: it need not run at all. */
  withdraw(channel: WorkerChannel): void;
  /** Request `id` on `channel` passed --request-timeout (its client has had its 504). */
  timedOut(channel: WorkerChannel, id: string): void;
  /** Some process has loaded the app, has a thread connected, and is not on its way
   *  out (--readiness-path). */
  readonly appReady: boolean;
  /** What --server-status shows: read when the page is asked for, never per request. */
  status(): PoolStatus;
}

/** One daemon thread as --server-status shows it. */
export interface ThreadStatus {
  readonly thread: number;
  /** "METHOD URI" of the request it runs, or null when idle. */
  readonly request: string | null;
  /** How long it has run that request (ms); 0 when idle. */
  readonly busyMs: number;
}

export interface ProcessStatus {
  readonly pid: number;
  /** Takes new requests (else it is starting, draining or stopping). */
  readonly serving: boolean;
  /** Its connected threads, by thread number. */
  readonly threads: readonly ThreadStatus[];
}

/** A read-only snapshot of the daemon pool (Apache's scoreboard, mod_status). */
export interface PoolStatus {
  /** --processes and --threads: the slots the scoreboard has. */
  readonly processSlots: number;
  readonly threadsPerProcess: number;
  readonly processes: readonly ProcessStatus[];
  /** Requests waiting for a thread: queued, or written ahead and not started. */
  readonly waiting: number;
}

/** What dispatching needs of one daemon process (lifecycle/daemon-process.ts). */
export interface DispatchTarget {
  readonly pid: number;
  readonly channels: ReadonlySet<WorkerChannel>;
  /** It takes new requests: it is neither draining nor stopping nor gone. */
  readonly acceptsRequests: boolean;
  /** Why its replacement was started, or null: nothing more is written ahead to it. */
  readonly retiring: string | null;
  /** Requests completed (--maximum-requests). */
  readonly requests: number;
  /** Busy with a request that has not timed out. */
  readonly activeRequests: number;
  readonly control: Pick<ControlChannel, "recall"> | null;
  /** A request on it ended; `activity`: it counts for --inactivity-timeout. */
  countRequest(now: number, activity: boolean): void;
  /** A request that counts as activity began on it. */
  noteActivity(now: number): void;
}
