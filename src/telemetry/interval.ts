/**
 * One interval's figures (--telemetry-interval): counts, histograms and busy time
 * gathered as requests end, cut into a summary at each tick and started afresh. Busy
 * time is the overlap of each request's run with the interval, so a request running
 * across ticks counts in each interval it spans (running requests are asked at the
 * cut), and "busy threads" is their average over the interval, not a snapshot.
 */
import { LogHistogram } from "./histogram.js";
import {
  STATUS_CLASSES,
  statusClass,
  type RequestRecord,
  type Restart,
  type RunningRequest,
  type StatusClass,
} from "./records.js";

export interface IntervalFigures {
  /** Its length, in seconds. */
  readonly seconds: number;
  readonly requests: number;
  readonly status: Readonly<Record<StatusClass, number>>;
  /** Request time (arrival to end) quantiles, in seconds; null: no requests. */
  readonly latency: {
    readonly p50: number | null;
    readonly p90: number | null;
    readonly p99: number | null;
    readonly max: number | null;
  };
  /** Mean seconds per request in each phase; null: no requests (or none ran). */
  readonly phases: {
    readonly server: number | null;
    readonly queue: number | null;
    readonly application: number | null;
  };
  /** Average busy threads over the interval, by daemon pid. */
  readonly busy: ReadonlyMap<number, number>;
  readonly restarts: readonly Restart[];
  /** Requests over --slow-requests that ended in it. */
  readonly slow: number;
}

export class Interval {
  private startedAt: number;
  private requests = 0;
  private status = zeroStatus();
  private readonly total = new LogHistogram();
  private readonly server = new LogHistogram();
  private readonly queue = new LogHistogram();
  private readonly application = new LogHistogram();
  private busyMs = new Map<number, number>();
  private restarts: Restart[] = [];
  private slow = 0;

  constructor(
    /** Monotonic ms: the clock of RequestRecord's startedAt and endedAt. */
    private readonly now: () => number,
    private readonly running: ReadonlySet<RunningRequest>,
  ) {
    this.startedAt = now();
  }

  record(request: RequestRecord, slow: boolean): void {
    this.requests += 1;
    this.status[statusClass(request.status)] += 1;
    this.total.record(request.total);
    this.server.record(request.server);
    this.queue.record(request.queue);
    if (request.application !== null) this.application.record(request.application);
    if (request.pid !== null && request.startedAt !== null) {
      this.addBusy(request.pid, request.endedAt - Math.max(request.startedAt, this.startedAt));
    }
    if (slow) this.slow += 1;
  }

  restarted(restart: Restart): void {
    this.restarts.push(restart);
  }

  /** The figures since the last cut; a new interval starts now. */
  cut(): IntervalFigures {
    const end = this.now();
    for (const request of this.running) {
      const run = request.running();
      if (run === null) continue;
      this.addBusy(run.pid, (run.endedAt ?? end) - Math.max(run.startedAt, this.startedAt));
    }
    const ms = Math.max(end - this.startedAt, 1);
    const busy = new Map<number, number>();
    for (const [pid, time] of this.busyMs) busy.set(pid, time / ms);
    const figures: IntervalFigures = {
      seconds: ms / 1000,
      requests: this.requests,
      status: { ...this.status },
      latency: {
        p50: this.total.quantile(0.5),
        p90: this.total.quantile(0.9),
        p99: this.total.quantile(0.99),
        max: this.total.count === 0 ? null : this.total.max,
      },
      phases: {
        server: this.server.mean,
        queue: this.queue.mean,
        application: this.application.mean,
      },
      busy,
      restarts: this.restarts,
      slow: this.slow,
    };
    this.reset(end);
    return figures;
  }

  /** A part before the interval (negative) was counted at an earlier cut. */
  private addBusy(pid: number, ms: number): void {
    if (ms > 0) this.busyMs.set(pid, (this.busyMs.get(pid) ?? 0) + ms);
  }

  private reset(now: number): void {
    this.startedAt = now;
    this.requests = 0;
    this.status = zeroStatus();
    for (const histogram of [this.total, this.server, this.queue, this.application]) {
      histogram.reset();
    }
    this.busyMs = new Map();
    this.restarts = [];
    this.slow = 0;
  }
}

function zeroStatus(): Record<StatusClass, number> {
  const status = {} as Record<StatusClass, number>;
  for (const name of STATUS_CLASSES) status[name] = 0;
  return status;
}
