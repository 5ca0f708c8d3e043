/**
 * Samples of one (app, peer) pair and their summary: the median of each figure over the
 * interleaved repeats, errors summed, memory peaks maxed.
 */
import type { PeerSpec } from "./peers.js";
import type { WrkResult } from "./wrk.js";

export interface Sample {
  readonly wrk: WrkResult;
  /** CPU seconds of the server's process tree during the run. */
  readonly cpuSeconds: number;
  readonly peakRss: number;
  readonly rootPeakRss: number;
  /** wrk's connections held by each process of the tree mid-run, most first. */
  readonly connectionSpread: readonly number[];
}

export type CellStatus = "ok" | "missing" | "failed";

export interface Cell {
  readonly peer: PeerSpec;
  status: CellStatus;
  reason: string;
  idleRss: number;
  idleRootRss: number;
  readonly samples: Sample[];
}

export interface Summary {
  readonly rps: number;
  readonly p50Ms: number;
  /** Connections actually in service, by Little's law: req/s x mean latency. */
  readonly served: number;
  readonly p99Ms: number;
  readonly errors: number;
  readonly cpuUsPerRequest: number;
  readonly idleRss: number;
  readonly peakRss: number;
  readonly idleRootRss: number;
  readonly peakRootRss: number;
  readonly runs: number;
}

export function median(values: readonly number[]): number {
  const sorted = values.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const mid = Math.floor(sorted.length / 2);
  const upper = sorted[mid] ?? Number.NaN;
  return sorted.length % 2 ? upper : ((sorted[mid - 1] ?? upper) + upper) / 2;
}

export function summarize(cell: Cell): Summary | null {
  const { samples } = cell;
  if (cell.status !== "ok" || samples.length === 0) return null;
  return {
    rps: median(samples.map((s) => s.wrk.rps)),
    p50Ms: median(samples.map((s) => s.wrk.p50Ms)),
    p99Ms: median(samples.map((s) => s.wrk.p99Ms)),
    served: median(samples.map((s) => (s.wrk.rps * s.wrk.meanMs) / 1000)),
    errors: samples.reduce((sum, s) => sum + s.wrk.errors, 0),
    cpuUsPerRequest: median(
      samples.map((s) => (s.wrk.requests > 0 ? (s.cpuSeconds * 1e6) / s.wrk.requests : NaN)),
    ),
    idleRss: cell.idleRss,
    peakRss: Math.max(...samples.map((s) => s.peakRss)),
    idleRootRss: cell.idleRootRss,
    peakRootRss: Math.max(...samples.map((s) => s.rootPeakRss)),
    runs: samples.length,
  };
}
