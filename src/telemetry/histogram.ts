/**
 * A latency histogram with logarithmic buckets (eight a doubling: each ~9 % wider than
 * the last, from 1 µs to ~18 min), as HdrHistogram and DDSketch bound a percentile's
 * relative error instead of keeping every value: recording is O(1), the memory fixed
 * however many requests an interval holds.
 */

const PER_DOUBLING = 8;
const SMALLEST = 1e-6;
const BUCKETS = PER_DOUBLING * 30;

export class LogHistogram {
  private readonly counts = new Uint32Array(BUCKETS);
  count = 0;
  sum = 0;
  max = 0;

  /** One value, in seconds (negative values count as 0). */
  record(seconds: number): void {
    const value = seconds > 0 ? seconds : 0;
    const index = bucketOf(value);
    this.counts[index] = (this.counts[index] ?? 0) + 1;
    this.count += 1;
    this.sum += value;
    if (value > this.max) this.max = value;
  }

  get mean(): number | null {
    return this.count === 0 ? null : this.sum / this.count;
  }

  /** The value below which a fraction `q` (0..1) of the values lie: the upper bound of
   *  the bucket holding it (at most the largest value seen); null when empty. */
  quantile(q: number): number | null {
    if (this.count === 0) return null;
    const rank = Math.max(1, Math.ceil(q * this.count));
    let seen = 0;
    for (let index = 0; index < BUCKETS; index++) {
      seen += this.counts[index] ?? 0;
      if (seen >= rank) return Math.min(upperBound(index), this.max);
    }
    return this.max;
  }

  reset(): void {
    this.counts.fill(0);
    this.count = 0;
    this.sum = 0;
    this.max = 0;
  }
}

function bucketOf(value: number): number {
  if (value <= SMALLEST) return 0;
  const index = Math.ceil(Math.log2(value / SMALLEST) * PER_DOUBLING);
  return index < BUCKETS ? index : BUCKETS - 1;
}

/** The last bucket holds everything beyond: its bound is the largest value seen. */
function upperBound(index: number): number {
  return index === BUCKETS - 1 ? Infinity : SMALLEST * 2 ** (index / PER_DOUBLING);
}
