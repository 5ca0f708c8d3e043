/**
 * The primary's embedded workers: --processes of them, each replaced when it dies
 * (a segfault, os._exit(), abort() in the application) after the crash back-off of
 * daemon mode (process/respawn-backoff.ts), its loss logged with its signal or status.
 * Spawning and the clock are passed in, so the rules are unit tested with fake workers
 * and mock timers.
 */
import type { EventEmitter } from "node:events";
import type { ErrorLog } from "../log/error-log.js";
import { RespawnBackoff } from "../process/respawn-backoff.js";
import type { Timers } from "../process/timers.js";
import type { FromWorker, ToWorker } from "./worker-messages.js";

/** A forked worker as this needs it (a cluster.Worker, or a fake in tests). */
export interface WorkerLike extends EventEmitter {
  readonly pid: number;
  send(message: ToWorker): void;
  kill(signal: NodeJS.Signals): void;
}

export type Ready = Extract<FromWorker, { type: "ready" }>;

interface Slot {
  worker: WorkerLike | null;
  startedAt: number;
  ready: boolean;
  readonly backoff: RespawnBackoff;
  respawn: ReturnType<Timers["setTimeout"]> | undefined;
}

export class WorkerSet {
  private readonly slots: Slot[] = [];
  private stopping = false;
  private first: ((result: Ready | string) => void) | null = null;
  private allGone: (() => void) | null = null;

  constructor(
    count: number,
    private readonly spawn: (index: number) => WorkerLike,
    private readonly log: ErrorLog,
    private readonly timers: Timers,
  ) {
    for (let i = 0; i < count; i++) {
      this.slots.push({
        worker: null,
        startedAt: 0,
        ready: false,
        backoff: new RespawnBackoff(),
        respawn: undefined,
      });
    }
  }

  /** Starts every worker; resolves with the first one's report once all are ready, or
   *  with the message of the first that failed to start, or of the wait for them
   *  passing `timeoutMs` (--startup-timeout; 0: no limit). */
  start(timeoutMs = 0): Promise<Ready | string> {
    let waiting = this.slots.length;
    let firstReady: Ready | null = null;
    return new Promise((resolve) => {
      const timer =
        timeoutMs > 0
          ? this.timers.setTimeout(() => {
              this.first?.(
                `embedded workers did not load the application within --startup-timeout ` +
                  `(${(timeoutMs / 1000).toString()} s)`,
              );
            }, timeoutMs)
          : undefined;
      this.first = (result) => {
        if (typeof result === "string" || waiting === 1) {
          this.first = null;
          this.timers.clearTimeout(timer);
          resolve(typeof result === "string" ? result : (firstReady ?? result));
          return;
        }
        firstReady ??= result;
        waiting -= 1;
      };
      this.slots.forEach((_, index) => {
        this.startSlot(index);
      });
    });
  }

  get pids(): number[] {
    return this.slots.flatMap((slot) => (slot.worker ? [slot.worker.pid] : []));
  }

  private startSlot(index: number): void {
    const slot = this.slots[index] as Slot;
    const worker = this.spawn(index);
    slot.worker = worker;
    slot.ready = false;
    slot.startedAt = this.timers.now();
    worker.on("message", (message: FromWorker) => {
      if (message.type === "ready") {
        slot.ready = true;
        this.first?.(message);
      } else if (message.type === "failed") {
        this.log.error(`embedded worker ${worker.pid} could not start: ${message.message}`);
        this.first?.(message.message);
      }
    });
    worker.on("exit", (code: number | null, signal: NodeJS.Signals | null) => {
      this.exited(index, worker, code, signal);
    });
  }

  private exited(
    index: number,
    worker: WorkerLike,
    code: number | null,
    signal: string | null,
  ): void {
    const slot = this.slots[index] as Slot;
    if (slot.worker !== worker) return;
    slot.worker = null;
    if (this.stopping) {
      if (this.slots.every((each) => each.worker === null)) this.allGone?.();
      return;
    }
    const how = signal ? `signal ${signal}` : `status ${String(code)}`;
    if (!slot.ready && this.first !== null) {
      this.first(`embedded worker ${worker.pid} exited with ${how} before it was ready`);
      return;
    }
    const delay = slot.backoff.next(this.timers.now(), slot.startedAt);
    this.log.error(
      `embedded worker ${worker.pid} exited with ${how}; its connections were lost; ` +
        (delay > 0 ? `restarting in ${(delay / 1000).toFixed(1)}s` : "restarting"),
    );
    if (delay === 0) {
      this.startSlot(index);
      return;
    }
    slot.respawn = this.timers.setTimeout(() => {
      slot.respawn = undefined;
      if (!this.stopping) this.startSlot(index);
    }, delay);
  }

  /** Asks every worker to stop gracefully; kills those left after `timeoutMs`. */
  stop(timeoutMs: number): Promise<void> {
    this.stopping = true;
    for (const slot of this.slots) this.timers.clearTimeout(slot.respawn);
    const running = this.slots.flatMap((slot) => (slot.worker ? [slot.worker] : []));
    if (running.length === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = this.timers.setTimeout(() => {
        this.log.notice("embedded workers still running at --shutdown-timeout; killing them");
        this.kill();
      }, timeoutMs);
      this.allGone = () => {
        this.timers.clearTimeout(timer);
        resolve();
      };
      for (const worker of running) {
        try {
          worker.send({ type: "stop" });
        } catch {
          // Its channel is closing: it is on its way out anyway.
        }
      }
    });
  }

  kill(): void {
    for (const slot of this.slots) slot.worker?.kill("SIGKILL");
  }
}
