/**
 * The primary's embedded workers: --processes slots, each with one current worker.
 * A worker that dies (a segfault, os._exit(), abort() in the application) is replaced
 * after the crash back-off of daemon mode (process/respawn-backoff.ts), its loss logged
 * with its signal or status. A worker due for replacement (a restart signal, or a
 * recycle rule it reports: recycle-watch.ts) is replaced gracefully, as a daemon
 * process is (lifecycle/daemon-processes.ts): its replacement starts and must report
 * ready (listening, the application loaded) while it still serves; only then is it
 * told to drain (no new connections, its requests in flight get their drain time plus
 * --shutdown-timeout), and it is killed if still there after that. Spawning and the
 * clock are passed in, so the rules are unit tested with fake workers and mock timers.
 */
import type { EventEmitter } from "node:events";
import type { DaemonConfig } from "../config/server-config.js";
import { REASON_OPTION } from "../lifecycle/recycle-policy.js";
import { gracefulRestart } from "../lifecycle/restart-signals.js";
import type { ErrorLog } from "../log/error-log.js";
import { RespawnBackoff } from "../process/respawn-backoff.js";
import type { TimerHandle, Timers } from "../process/timers.js";
import type { FromWorker, ToWorker } from "./worker-messages.js";

/** A forked worker as this needs it (a cluster.Worker, or a fake in tests). */
export interface WorkerLike extends EventEmitter {
  readonly pid: number;
  send(message: ToWorker): void;
  kill(signal: NodeJS.Signals): void;
}

export type Ready = Extract<FromWorker, { type: "ready" }>;

/** The timeouts replacements follow. */
export type ReplaceTimes = Pick<
  DaemonConfig,
  "gracefulTimeout" | "evictionTimeout" | "shutdownTimeout"
>;

/** Beyond a worker's own deadline, before it is killed. */
export const KILL_SLACK_MS = 5_000;

/** A worker being replaced: it serves until its replacement is ready. */
interface Retiring {
  readonly reason: string;
  readonly drainMs: number;
  /** Set once it was told to drain: the kill at its deadline. */
  kill: TimerHandle | undefined;
}

interface Slot {
  worker: WorkerLike | null;
  startedAt: number;
  ready: boolean;
  readonly backoff: RespawnBackoff;
  respawn: TimerHandle | undefined;
  readonly retiring: Map<WorkerLike, Retiring>;
  /** A replacement asked for while the slot's worker was still starting: it may have
   *  loaded the application before the ask (say, a SIGHUP after an edit), so it is
   *  replaced in turn once it is ready. */
  again: { readonly reason: string; readonly drainSeconds: number } | null;
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
    private readonly times: ReplaceTimes,
  ) {
    for (let i = 0; i < count; i++) {
      this.slots.push({
        worker: null,
        startedAt: 0,
        ready: false,
        backoff: new RespawnBackoff(),
        respawn: undefined,
        retiring: new Map(),
        again: null,
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

  /** The current workers (not those on their way out). */
  get pids(): number[] {
    return this.slots.flatMap((slot) => (slot.worker ? [slot.worker.pid] : []));
  }

  /** How many workers are alive: current and on their way out. */
  get alive(): number {
    return this.all().length;
  }

  /** SIGHUP or SIGUSR1 to the server: every worker is replaced gracefully. */
  restartAll(reason: string, drainSeconds: number): void {
    this.slots.forEach((_, index) => {
      this.replace(index, reason, drainSeconds);
    });
  }

  /** Starts a replacement for slot `index`'s worker, which drains once it is ready.
   *  A worker still starting is replaced once it is ready; none is while the slot
   *  waits out the crash back-off (the next worker starts afresh) or the set stops. */
  replace(index: number, reason: string, drainSeconds: number): void {
    const slot = this.slots[index] as Slot;
    const old = slot.worker;
    if (this.stopping || old === null) return;
    if (!slot.ready) {
      slot.again = { reason, drainSeconds };
      return;
    }
    slot.retiring.set(old, { reason, drainMs: drainSeconds * 1000, kill: undefined });
    this.log.notice(
      `recycling embedded worker ${old.pid} (${REASON_OPTION[reason] ?? reason}): ` +
        "starting its replacement",
    );
    this.startSlot(index);
  }

  private startSlot(index: number): void {
    const slot = this.slots[index] as Slot;
    const worker = this.spawn(index);
    slot.worker = worker;
    slot.ready = false;
    slot.startedAt = this.timers.now();
    worker.on("message", (message: FromWorker) => {
      this.heard(index, worker, message);
    });
    worker.on("exit", (code: number | null, signal: NodeJS.Signals | null) => {
      this.exited(index, worker, code, signal);
    });
  }

  private heard(index: number, worker: WorkerLike, message: FromWorker): void {
    const slot = this.slots[index] as Slot;
    if (message.type === "ready") {
      if (slot.worker !== worker) return;
      slot.ready = true;
      this.first?.(message);
      this.drainRetiring(slot);
      const again = slot.again;
      slot.again = null;
      if (again !== null) this.replace(index, again.reason, again.drainSeconds);
    } else if (message.type === "failed") {
      this.log.error(`embedded worker ${worker.pid} could not start: ${message.message}`);
      this.first?.(message.message);
    } else if (message.type === "recycle" && slot.worker === worker) {
      // SIGUSR1 sent to the worker itself follows the eviction rule, as in daemon mode.
      const graceful = gracefulRestart(this.times);
      if (message.reason === "graceful_signal") {
        this.replace(index, graceful.reason, graceful.drainSeconds);
      } else this.replace(index, message.reason, this.times.gracefulTimeout);
    }
  }

  /** The slot's new worker is ready: the ones it replaces stop taking connections. */
  private drainRetiring(slot: Slot): void {
    for (const [old, retiring] of slot.retiring) {
      if (retiring.kill !== undefined) continue;
      const withinMs = retiring.drainMs + this.times.shutdownTimeout * 1000;
      this.log.info(`embedded worker ${old.pid} is replaced; draining (${retiring.reason})`);
      retiring.kill = this.timers.setTimeout(() => {
        this.log.error(`embedded worker ${old.pid} still running after its drain; killing it`);
        old.kill("SIGKILL");
      }, withinMs + KILL_SLACK_MS);
      this.tell(old, { type: "drain", reason: retiring.reason, withinMs });
    }
  }

  private exited(
    index: number,
    worker: WorkerLike,
    code: number | null,
    signal: string | null,
  ): void {
    const slot = this.slots[index] as Slot;
    const how = signal ? `signal ${signal}` : `status ${String(code)}`;
    const retiring = slot.retiring.get(worker);
    if (retiring !== undefined) {
      slot.retiring.delete(worker);
      this.timers.clearTimeout(retiring.kill);
      this.log.info(`embedded worker ${worker.pid} stopped (${retiring.reason}; ${how})`);
    }
    if (slot.worker === worker) slot.worker = null;
    else if (retiring === undefined) return;
    if (this.stopping) {
      if (this.slots.every((each) => each.worker === null && each.retiring.size === 0)) {
        this.allGone?.();
      }
      return;
    }
    if (retiring === undefined) this.crashed(index, worker, how);
  }

  private crashed(index: number, worker: WorkerLike, how: string): void {
    const slot = this.slots[index] as Slot;
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
    const running = this.all();
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
      for (const worker of running) this.tell(worker, { type: "stop" });
    });
  }

  kill(): void {
    for (const worker of this.all()) worker.kill("SIGKILL");
  }

  /** Every worker alive: current and retiring. */
  private all(): WorkerLike[] {
    return this.slots.flatMap((slot) => [
      ...(slot.worker ? [slot.worker] : []),
      ...slot.retiring.keys(),
    ]);
  }

  private tell(worker: WorkerLike, message: ToWorker): void {
    try {
      worker.send(message);
    } catch {
      // Its channel is closing: it is on its way out anyway.
    }
  }
}
