/**
 * The front end's telemetry: requests are recorded as they end (an Interval and the
 * Prometheus metrics), and every --telemetry-interval a tick cuts the interval, asks the
 * pool and /proc how the daemon processes are, and makes a Sample for the dashboard's
 * history, the collector (--telemetry-service) and /metrics' gauges. Its clock and
 * timers are passed in, so that the ticks are unit tested with mock timers.
 */
import type { PoolStatus } from "../daemon/pool.js";
import type { Timers, TimerHandle } from "../process/timers.js";
import { Interval } from "./interval.js";
import type { ProcessUsage } from "./proc-usage.js";
import { PromMetrics } from "./prometheus.js";
import type { RequestRecord, RunningRequest } from "./records.js";
import { buildSample, type Sample } from "./sample.js";
import { SlowRequests, type SlowRequest } from "./slow-requests.js";

export interface TelemetrySettings {
  readonly intervalSeconds: number;
  /** --slow-requests, seconds; null: not recorded. */
  readonly slowRequestSeconds: number | null;
}

export interface TelemetryDeps {
  /** The daemon pool's snapshot (daemon/pool.ts). */
  readonly pool: { status(): PoolStatus };
  readonly readUsage: (pid: number) => Promise<ProcessUsage | null>;
  /** Monotonic ms (now) and the interval timer. */
  readonly timers: Pick<Timers, "now" | "setInterval" | "clearInterval">;
  /** Seconds since the epoch. */
  readonly wallClock: () => number;
}

/** Samples kept for the dashboard: ten minutes at the default interval. */
const HISTORY = 600;
/** Slow requests carried by one sample, at most (the rest are counted). */
const SLOW_PER_SAMPLE = 100;

export class Telemetry {
  /** Requests handed to the backend and not yet over (their busy time is counted at
   *  each tick). */
  readonly running = new Set<RunningRequest>();
  readonly metrics = new PromMetrics();
  readonly slow: SlowRequests | null;
  private readonly interval: Interval;
  private readonly history: Sample[] = [];
  private newSlow: SlowRequest[] = [];
  private readonly previousCpu = new Map<number, number>();
  private readonly listeners: ((sample: Sample) => void)[] = [];
  private timer: TimerHandle | undefined;
  private ticking: Promise<Sample> | null = null;

  constructor(
    readonly settings: TelemetrySettings,
    private readonly deps: TelemetryDeps,
  ) {
    this.interval = new Interval(() => deps.timers.now(), this.running);
    this.slow =
      settings.slowRequestSeconds === null
        ? null
        : new SlowRequests(settings.slowRequestSeconds, deps.wallClock);
  }

  /** Monotonic ms, on the pool's clock. */
  now(): number {
    return this.deps.timers.now();
  }

  start(): void {
    this.timer ??= this.deps.timers.setInterval(() => {
      // A sample that fails (a listener's bug) is lost; the server and later ticks go on.
      this.tick().catch(() => undefined);
    }, this.settings.intervalSeconds * 1000);
    // The ticks alone never keep the process alive (the listeners do).
    if (typeof this.timer === "object" && "unref" in this.timer) this.timer.unref();
  }

  stop(): void {
    this.deps.timers.clearInterval(this.timer);
    this.timer = undefined;
  }

  onSample(listener: (sample: Sample) => void): void {
    this.listeners.push(listener);
  }

  record(request: RequestRecord): void {
    const entry = this.slow?.offer(request) ?? null;
    const slow = entry !== null;
    if (slow && this.newSlow.length < SLOW_PER_SAMPLE) this.newSlow.push(entry);
    this.interval.record(request, slow);
    this.metrics.observe(request, slow);
  }

  restarted(pid: number, reason: string): void {
    this.interval.restarted({ pid, reason });
    this.metrics.restarted(reason);
  }

  /** The samples that ended after `time` (seconds since the epoch), oldest first. */
  samplesSince(time: number): Sample[] {
    return this.history.filter((sample) => sample.time > time);
  }

  /** Cuts the interval and makes its sample; a tick while the last one still reads
   *  /proc waits for it, so samples come out in order. */
  tick(): Promise<Sample> {
    const previous = (this.ticking ?? Promise.resolve(null)).catch(() => null);
    const figures = this.interval.cut();
    const pool = this.deps.pool.status();
    const slow = this.newSlow;
    this.newSlow = [];
    const next = previous.then(async () => {
      const usage = new Map<number, ProcessUsage | null>();
      await Promise.all(
        pool.processes.map(async ({ pid }) => {
          usage.set(pid, await this.deps.readUsage(pid));
        }),
      );
      const sample = buildSample({
        time: this.deps.wallClock(),
        figures,
        pool,
        usage,
        previousCpu: this.previousCpu,
        slow,
      });
      this.remember(sample, usage);
      return sample;
    });
    this.ticking = next;
    return next;
  }

  private remember(sample: Sample, usage: ReadonlyMap<number, ProcessUsage | null>): void {
    this.previousCpu.clear();
    for (const [pid, value] of usage) if (value) this.previousCpu.set(pid, value.cpuSeconds);
    this.history.push(sample);
    if (this.history.length > HISTORY) this.history.shift();
    this.metrics.sampled(sample);
    for (const listener of this.listeners) listener(sample);
  }
}
