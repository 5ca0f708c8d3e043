/**
 * --server-status in embedded mode: whichever worker a client reaches answers for the
 * whole server, as Apache's mod_status does from the scoreboard all its children share.
 * The worker asks the primary; the primary asks every live worker for its own figures
 * (its threads, queue and traffic counters), merges them, and answers the worker. A
 * worker that does not answer within GATHER_TIMEOUT_MS (busy loading its app) shows as
 * open slots, as Apache shows a child that is starting. Each worker counts its own
 * traffic: the counts of a worker that was replaced leave with it.
 */
import type { EventEmitter } from "node:events";
import type { PoolStatus } from "../daemon/pool.js";
import type { StatusSnapshot } from "../front-door/server-status.js";
import type { Timers } from "../process/timers.js";

/** How long the primary waits for the workers' figures. */
export const GATHER_TIMEOUT_MS = 1000;

/** One worker's own figures. */
export interface WorkerStatus {
  readonly pool: PoolStatus;
  readonly accesses: number;
  readonly bodyBytes: number;
}

/** The messages of a gathering, over cluster's IPC beside worker-messages.ts's. */
export type StatusMessage =
  | { readonly type: "status-ask"; readonly id: number } // worker -> primary
  | { readonly type: "status-report"; readonly id: number } // primary -> worker
  | { readonly type: "status"; readonly id: number; readonly part: WorkerStatus } // worker -> primary
  | { readonly type: "status-answer"; readonly id: number; readonly snapshot: StatusSnapshot }; // primary -> worker

/** A worker as the primary's gatherer sees it (a cluster.Worker, or a fake in tests). */
export interface StatusPeer extends EventEmitter {
  send(message: StatusMessage): unknown;
}

/** The whole server from its workers' parts: `processes` slots of `threads`. */
export function mergeStatuses(
  parts: readonly WorkerStatus[],
  shape: { readonly processes: number; readonly threads: number },
  uptimeSeconds: number,
): StatusSnapshot {
  const sum = (of: (part: WorkerStatus) => number): number =>
    parts.reduce((total, part) => total + of(part), 0);
  return {
    pool: {
      processSlots: shape.processes,
      threadsPerProcess: shape.threads,
      processes: parts.flatMap((part) => part.pool.processes),
      waiting: sum((part) => part.pool.waiting),
    },
    accesses: sum((part) => part.accesses),
    bodyBytes: sum((part) => part.bodyBytes),
    uptimeSeconds,
  };
}

interface Gathering {
  readonly waiting: Set<StatusPeer>;
  readonly parts: Map<StatusPeer, WorkerStatus>;
  readonly finish: () => void;
}

/** The primary's side: answers each worker's "status-ask" with the merged figures. */
export class StatusGatherer {
  private readonly workers: StatusPeer[] = [];
  private readonly gatherings = new Map<number, Gathering>();
  private next = 0;
  private readonly startedAt: number;

  constructor(
    private readonly shape: { readonly processes: number; readonly threads: number },
    private readonly timers: Timers,
  ) {
    this.startedAt = timers.now();
  }

  /** Takes a newly forked worker into the gatherings, until it exits. */
  watch(worker: StatusPeer): void {
    this.workers.push(worker);
    worker.on("message", (message: StatusMessage) => {
      if (message.type === "status-ask") this.gather(worker, message.id);
      else if (message.type === "status") this.received(worker, message.id, message.part);
    });
    worker.once("exit", () => {
      this.workers.splice(this.workers.indexOf(worker), 1);
      for (const gathering of this.gatherings.values()) this.settle(gathering, worker);
    });
  }

  private gather(asker: StatusPeer, askId: number): void {
    const id = (this.next += 1);
    const order = [...this.workers];
    const gathering: Gathering = {
      waiting: new Set(order),
      parts: new Map(),
      finish: () => {
        this.timers.clearTimeout(timer);
        this.gatherings.delete(id);
        const parts = order.flatMap((worker) => gathering.parts.get(worker) ?? []);
        const uptime = Math.floor((this.timers.now() - this.startedAt) / 1000);
        trySend(asker, {
          type: "status-answer",
          id: askId,
          snapshot: mergeStatuses(parts, this.shape, uptime),
        });
      },
    };
    const timer = this.timers.setTimeout(gathering.finish, GATHER_TIMEOUT_MS);
    this.gatherings.set(id, gathering);
    for (const worker of order) {
      if (!trySend(worker, { type: "status-report", id })) this.settle(gathering, worker);
    }
  }

  private received(worker: StatusPeer, id: number, part: WorkerStatus): void {
    const gathering = this.gatherings.get(id);
    if (gathering === undefined) return; // Too late: answered without it.
    gathering.parts.set(worker, part);
    this.settle(gathering, worker);
  }

  private settle(gathering: Gathering, worker: StatusPeer): void {
    if (!gathering.waiting.delete(worker)) return;
    if (gathering.waiting.size === 0) gathering.finish();
  }
}

function trySend(peer: StatusPeer, message: StatusMessage): boolean {
  try {
    peer.send(message);
    return true;
  } catch {
    return false; // Its channel is closing: it is on its way out.
  }
}

/** The worker's side, over `channel` (the process's IPC): answers the primary's
 *  "status-report" with `own()`, and returns the function that asks for the whole
 *  (rejected when the primary does not answer within twice the gathering's time). */
export function statusOverIpc(
  channel: Pick<NodeJS.Process, "on" | "send">,
  own: () => WorkerStatus,
): () => Promise<StatusSnapshot> {
  const asked = new Map<number, (snapshot: StatusSnapshot) => void>();
  let next = 0;
  channel.on("message", (message: StatusMessage) => {
    if (message.type === "status-report") {
      channel.send?.({ type: "status", id: message.id, part: own() });
    } else if (message.type === "status-answer") {
      asked.get(message.id)?.(message.snapshot);
      asked.delete(message.id);
    }
  });
  return () =>
    new Promise((resolve, reject) => {
      const id = (next += 1);
      const timer = setTimeout(() => {
        asked.delete(id);
        reject(new Error("the primary did not answer"));
      }, 2 * GATHER_TIMEOUT_MS);
      asked.set(id, (snapshot) => {
        clearTimeout(timer);
        resolve(snapshot);
      });
      channel.send?.({ type: "status-ask", id });
    });
}
