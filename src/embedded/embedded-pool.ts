/**
 * The embedded Python of one worker process as the front end's DaemonPool: its request
 * threads are WorkerChannels over addon slots (slot-stream.ts), dispatched by the same
 * ThreadDispatcher as daemon threads, so queueing, dispatch ahead, --queue-timeout,
 * --request-timeout (INTERRUPT), aborts and recalls behave as in daemon mode.
 */
import type { ServerConfig } from "../config/server-config.js";
import { ControlChannel } from "../daemon/control-channel.js";
import type { PendingRequest } from "../daemon/pending-request.js";
import type { DaemonPool, DispatchTarget, PoolStatus } from "../daemon/pool.js";
import { ThreadDispatcher } from "../daemon/thread-dispatcher.js";
import { WorkerChannel } from "../daemon/worker-channel.js";
import type { StatusSnapshot } from "../front-door/server-status.js";
import { countsAsActivity } from "../lifecycle/recycle-policy.js";
import type { ErrorLog } from "../log/error-log.js";
import { FrameDecoder, FrameType } from "../protocol/frames.js";
import type { EmbeddedAddon, OutputBatch } from "./addon.js";
import { SlotStream } from "./slot-stream.js";

/** How often requests waiting past --queue-timeout are answered (as supervisor.ts). */
const QUEUE_SWEEP_MS = 250;

/** This process, as the dispatcher sees a daemon process. */
class EmbeddedTarget implements DispatchTarget {
  readonly pid = process.pid;
  readonly channels = new Set<WorkerChannel>();
  acceptsRequests = true;
  readonly retiring = null;
  requests = 0;
  lastActivity: number | null = null;
  control: ControlChannel | null = null;

  get activeRequests(): number {
    let busy = 0;
    for (const channel of this.channels) if (channel.busy && !channel.stale) busy += 1;
    return busy;
  }

  countRequest(now: number, activity: boolean): void {
    this.requests += 1;
    if (activity) this.lastActivity = now;
  }

  noteActivity(now: number): void {
    this.lastActivity = now;
  }
}

/** What the worker's lifecycle (recycle-watch.ts) hears from the pool. */
export interface PoolEvents {
  /** A request ended (--maximum-requests). */
  afterRequest(): void;
  /** Python asked to be replaced (a control RECYCLE frame). */
  recycle(reason: string): void;
  /** A request passed --request-timeout; its thread was interrupted. */
  timedOut(channel: WorkerChannel): void;
}

const NO_EVENTS: PoolEvents = {
  afterRequest: () => undefined,
  recycle: () => undefined,
  timedOut: () => undefined,
};

export class EmbeddedPool implements DaemonPool {
  private readonly target = new EmbeddedTarget();
  private readonly threads: ThreadDispatcher<EmbeddedTarget>;
  private readonly streams: SlotStream[] = [];
  private sweep: NodeJS.Timeout | null = null;
  /** --server-status: the whole server's figures, through the primary (worker.ts). */
  wholeServerStatus: (() => Promise<StatusSnapshot>) | null = null;
  /** Whether the app imported: one that failed leaves readiness at 503 (worker.ts). */
  appLoaded = true;
  /** A request thread's channel closed while serving: Python is no longer sound. */
  onLost: (reason: string) => void = () => undefined;
  events: PoolEvents = NO_EVENTS;

  constructor(
    private readonly config: ServerConfig,
    private readonly log: ErrorLog,
  ) {
    this.threads = new ThreadDispatcher<EmbeddedTarget>(
      config,
      {
        processOf: (channel) => (this.target.channels.has(channel) ? this.target : undefined),
        afterRequest: () => {
          this.events.afterRequest();
        },
        countsAsActivity: (path) => countsAsActivity(path, config.daemons.ignoreActivity),
        finish: () => undefined,
      },
      () => performance.now(),
    );
  }

  /** What the addon's output callback is given: each piece to its slot's stream. */
  readonly onOutput = (batch: OutputBatch): void => {
    for (let i = 0; i + 1 < batch.length; i += 2) {
      const stream = this.streams[batch[i] as number];
      const piece = batch[i + 1];
      if (piece === null || piece === undefined) stream?.drained();
      else if (typeof piece !== "number") stream?.deliver(piece);
    }
  };

  /** Makes the channels once Python runs: one per request thread, then control. */
  connect(addon: EmbeddedAddon): void {
    const threads = this.config.daemons.threads;
    for (let slot = 0; slot <= threads; slot++) this.streams.push(new SlotStream(addon, slot));
    for (let thread = 0; thread < threads; thread++) {
      const stream = this.streams[thread] as SlotStream;
      const decoder = new FrameDecoder({ streamed: [FrameType.RESPONSE_BODY] });
      const socket = stream as unknown as ConstructorParameters<typeof WorkerChannel>[0];
      const channel = new WorkerChannel(socket, decoder, process.pid, thread, (_, reason) => {
        this.channelClosed(channel, reason);
      });
      this.target.channels.add(channel);
      this.threads.add(channel);
    }
    const control = this.streams[threads] as SlotStream;
    this.target.control = new ControlChannel(
      control as unknown as ConstructorParameters<typeof ControlChannel>[0],
      new FrameDecoder(),
      {
        onHeartbeat: () => undefined,
        onRecycle: (reason) => {
          this.events.recycle(reason);
        },
        onRecalled: (answer) => {
          this.threads.answered(this.target, answer);
        },
        onProblem: (message) => {
          this.log.error(`embedded control channel: ${message}`);
        },
      },
    );
    this.sweep = setInterval(() => {
      this.threads.expireWaiting(0);
    }, QUEUE_SWEEP_MS);
    this.sweep.unref();
  }

  private channelClosed(channel: WorkerChannel, reason: string): void {
    this.target.channels.delete(channel);
    this.threads.remove(channel);
    if (this.target.acceptsRequests) this.onLost(`thread ${channel.thread.toString()}: ${reason}`);
  }

  /** Its requests, for the recycle rules. */
  get activity(): { requests: number; activeRequests: number; lastActivity: number | null } {
    return this.target;
  }

  get appReady(): boolean {
    return this.appLoaded && this.target.acceptsRequests && this.target.channels.size > 0;
  }

  status(): PoolStatus {
    const now = performance.now();
    const threads = [...this.target.channels].map((channel) => ({
      thread: channel.thread,
      request: channel.current,
      busyMs: channel.busy ? now - channel.since : 0,
    }));
    return {
      processSlots: 1,
      threadsPerProcess: this.config.daemons.threads,
      processes: [{ pid: process.pid, serving: this.target.acceptsRequests, threads }],
      waiting: this.threads.waitingCount,
    };
  }

  dispatch(request: PendingRequest): void {
    this.threads.dispatch(request);
  }

  release(channel: WorkerChannel): void {
    this.threads.release(channel);
  }

  withdraw(channel: WorkerChannel): void {
    this.threads.withdraw(channel);
  }

  abort(_pid: number, id: string): void {
    this.target.control?.abort(id);
  }

  timedOut(channel: WorkerChannel, id: string): void {
    channel.stale = true;
    this.target.control?.interrupt(id);
    this.events.timedOut(channel);
  }

  /** Tells Python why this worker is on its way out (process_stopping's reason). */
  stopping(reason: string): void {
    this.target.control?.shutdown(reason);
  }

  /** No new requests; every Python thread's channel is closed (they return). */
  stop(): void {
    this.target.acceptsRequests = false;
    if (this.sweep) clearInterval(this.sweep);
    this.threads.stop();
    for (const stream of this.streams) stream.destroy();
  }
}
