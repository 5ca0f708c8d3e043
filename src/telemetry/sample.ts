/**
 * One telemetry sample: an interval's figures with the daemon processes' state at its
 * end. It is what the dashboard plots, what --telemetry-service sends (one JSON line
 * each: docs/telemetry.md) and where /metrics' gauges come from.
 */
import type { PoolStatus } from "../daemon/pool.js";
import type { IntervalFigures } from "./interval.js";
import type { ProcessUsage } from "./proc-usage.js";
import type { Restart, StatusClass } from "./records.js";
import type { SlowRequest } from "./slow-requests.js";

export interface ProcessSample {
  readonly pid: number;
  /** Takes new requests (else starting, draining or stopping). */
  readonly serving: boolean;
  /** Threads connected: its capacity. */
  readonly threads: number;
  /** Average busy threads over the interval. */
  readonly busy: number;
  /** CPU used over the interval, in cores (1: one core all the time); null: unknown. */
  readonly cpu: number | null;
  /** CPU seconds since it started; null: unknown. */
  readonly cpuSeconds: number | null;
  /** Resident memory in bytes; null: unknown. */
  readonly rss: number | null;
}

export interface Sample {
  /** The interval's end, in seconds since the epoch. */
  readonly time: number;
  /** Its length, in seconds. */
  readonly interval: number;
  readonly requests: number;
  /** Requests per second. */
  readonly rate: number;
  readonly status: Readonly<Record<StatusClass, number>>;
  readonly latency: IntervalFigures["latency"];
  readonly phases: IntervalFigures["phases"];
  /** Requests waiting for a thread at its end. */
  readonly queued: number;
  /** Threads of the processes taking requests (--processes x --threads when all are up). */
  readonly capacity: number;
  /** Average busy threads over the interval, all processes. */
  readonly busy: number;
  readonly processes: readonly ProcessSample[];
  readonly restarts: readonly Restart[];
  /** The requests over --slow-requests that ended in it. */
  readonly slow: readonly SlowRequest[];
}

export interface SampleInputs {
  readonly time: number;
  readonly figures: IntervalFigures;
  readonly pool: PoolStatus;
  /** Each process's usage now, and at the previous sample (for the CPU rate). */
  readonly usage: ReadonlyMap<number, ProcessUsage | null>;
  readonly previousCpu: ReadonlyMap<number, number>;
  readonly slow: readonly SlowRequest[];
}

export function buildSample(inputs: SampleInputs): Sample {
  const { figures, pool } = inputs;
  const processes = pool.processes.map((process): ProcessSample => {
    const usage = inputs.usage.get(process.pid) ?? null;
    const before = inputs.previousCpu.get(process.pid);
    const cpu =
      usage === null || before === undefined
        ? null
        : Math.max(0, usage.cpuSeconds - before) / figures.seconds;
    return {
      pid: process.pid,
      serving: process.serving,
      threads: process.threads.length,
      busy: round(figures.busy.get(process.pid) ?? 0),
      cpu: cpu === null ? null : round(cpu),
      cpuSeconds: usage?.cpuSeconds ?? null,
      rss: usage?.rss ?? null,
    };
  });
  let busy = 0;
  for (const value of figures.busy.values()) busy += value;
  return {
    time: inputs.time,
    interval: round(figures.seconds),
    requests: figures.requests,
    rate: round(figures.requests / figures.seconds),
    status: figures.status,
    latency: figures.latency,
    phases: figures.phases,
    queued: pool.waiting,
    capacity: processes.filter((p) => p.serving).reduce((sum, p) => sum + p.threads, 0),
    busy: round(busy),
    processes,
    restarts: figures.restarts,
    slow: inputs.slow,
  };
}

/** Six significant digits are plenty for a chart and keep the JSON short. */
function round(value: number): number {
  return Number(value.toPrecision(6));
}
