/**
 * The benchmark's knobs, read once from the environment (BENCH_*) and frozen.
 * Defaults keep a full run of every peer and app under ~25 minutes on 2 cores.
 */

export interface BenchConfig {
  /** Seconds of each measured wrk run. */
  readonly durationSec: number;
  /** Measured runs per (app, peer), interleaved across peers; the median is reported. */
  readonly repeats: number;
  /** Seconds of the discarded warm-up run per (app, peer). */
  readonly warmupSec: number;
  /** Only these peers (names), or every peer when null. */
  readonly peers: readonly string[] | null;
  /** Only these apps (names), or every app when null. */
  readonly apps: readonly string[] | null;
  /** Write bench/results/DATE.md (BENCH_WRITE=0 to only print). */
  readonly write: boolean;
}

type Env = Readonly<Record<string, string | undefined>>;

function positive(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw.replace(/s$/, ""));
  if (!Number.isFinite(value) || value <= 0) {
    throw new Error(`${name} must be a positive number of seconds or a count, got "${raw}"`);
  }
  return value;
}

function list(env: Env, name: string): readonly string[] | null {
  const raw = env[name];
  if (raw === undefined || raw.trim() === "") return null;
  return raw
    .split(",")
    .map((item) => item.trim())
    .filter(Boolean);
}

export function readConfig(env: Env): BenchConfig {
  return Object.freeze({
    durationSec: positive(env, "BENCH_DURATION", 5),
    repeats: Math.round(positive(env, "BENCH_REPEATS", 3)),
    warmupSec: positive(env, "BENCH_WARMUP", 2),
    peers: list(env, "BENCH_PEERS"),
    apps: list(env, "BENCH_APPS"),
    write: env.BENCH_WRITE !== "0",
  });
}

/** Keeps the items whose name is in the filter, failing on a name that matches nothing. */
export function selectByName<T extends { readonly name: string }>(
  items: readonly T[],
  filter: readonly string[] | null,
  what: string,
): T[] {
  if (filter === null) return [...items];
  const unknown = filter.filter((name) => !items.some((item) => item.name === name));
  if (unknown.length > 0) {
    const known = items.map((item) => item.name).join(", ");
    throw new Error(`unknown ${what} ${unknown.join(", ")}; expected some of: ${known}`);
  }
  return items.filter((item) => filter.includes(item.name));
}
