/**
 * A Prometheus histogram kept as plain counts and exposed through prom-client's
 * registry (Registry.registerMetric takes any metric with `get()`; the lines are the
 * same `_bucket{le=...}`, `_sum`, `_count` as prom-client's Histogram). Why not that
 * Histogram: its observe() costs ~1 µs (label hashing, validation) and this runs for
 * every request; here an observation is a short scan of the bounds.
 */
import type { Metric } from "prom-client";

/** One exposition line's parts, as the registry reads them from `get()`. */
interface Line {
  readonly metricName: string;
  readonly labels: Record<string, string | number>;
  readonly value: number;
}

export class BucketHistogram {
  readonly type = "histogram";
  readonly aggregator = "sum";
  /** Per bucket, not cumulative: the last one is beyond every bound (+Inf). */
  private readonly counts: Float64Array;
  private count = 0;
  private sum = 0;

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly bounds: readonly number[],
  ) {
    this.counts = new Float64Array(bounds.length + 1);
  }

  observe(value: number): void {
    let index = 0;
    while (index < this.bounds.length && value > (this.bounds[index] ?? Infinity)) index += 1;
    this.counts[index] = (this.counts[index] ?? 0) + 1;
    this.count += 1;
    this.sum += value;
  }

  reset(): void {
    this.counts.fill(0);
    this.count = 0;
    this.sum = 0;
  }

  get(): Promise<{ name: string; help: string; type: string; aggregator: string; values: Line[] }> {
    const values: Line[] = [];
    let cumulative = 0;
    this.bounds.forEach((bound, index) => {
      cumulative += this.counts[index] ?? 0;
      values.push({ metricName: `${this.name}_bucket`, labels: { le: bound }, value: cumulative });
    });
    values.push(
      { metricName: `${this.name}_bucket`, labels: { le: "+Inf" }, value: this.count },
      { metricName: `${this.name}_sum`, labels: {}, value: this.sum },
      { metricName: `${this.name}_count`, labels: {}, value: this.count },
    );
    return Promise.resolve({
      name: this.name,
      help: this.help,
      type: this.type,
      aggregator: this.aggregator,
      values,
    });
  }

  /** For Registry.registerMetric, whose type names prom-client's own classes only. */
  asMetric(): Metric {
    return this as unknown as Metric;
  }
}
