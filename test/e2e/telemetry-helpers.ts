/** Reading telemetry's outputs in e2e tests: the banner's URL, /metrics parsed with a
 *  real Prometheus text parser, /samples. */
import assert from "node:assert/strict";
import parse from "parse-prometheus-text-format";
import { request, type RunningServer } from "./harness.js";

export type Families = ReturnType<typeof parse>;

/** The dashboard's URL, from the banner's "Telemetry UI" line. */
export function telemetryUrl(server: RunningServer): string {
  const match = /^Telemetry UI\s*: (\S+)$/m.exec(server.banner());
  assert.ok(match?.[1], server.banner());
  return match[1];
}

export async function scrape(url: string): Promise<Families> {
  const answer = await request(url);
  assert.equal(answer.status, 200, url);
  assert.match(String(answer.headers["content-type"]), /^text\/plain; version=0\.0\.4/);
  return parse(answer.body.toString());
}

/** The value of a counter or gauge series with these labels (NaN when absent). */
export function value(
  families: Families,
  name: string,
  labels: Record<string, string> = {},
): number {
  const family = families.find((f) => f.name === name);
  const series = family?.metrics.find((m) =>
    Object.entries(labels).every(([key, v]) => m.labels?.[key] === v),
  );
  return Number(series?.value);
}

export function familyType(families: Families, name: string): string | undefined {
  return families.find((f) => f.name === name)?.type;
}

export interface SlowEntry {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly pid: number | null;
  readonly thread: number | null;
  readonly server: number;
  readonly queue: number;
  readonly application: number | null;
  readonly total: number;
}

export interface SamplesAnswer {
  readonly samples: readonly { readonly requests: number; readonly time: number }[];
  readonly slow: readonly SlowEntry[];
}

export async function samples(base: string): Promise<SamplesAnswer> {
  const answer = await request(new URL("samples", base).href);
  assert.equal(answer.status, 200);
  return JSON.parse(answer.body.toString()) as SamplesAnswer;
}

/** Polls `read` until `done` holds; the deadline only bounds a hang. */
export async function until<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) assert.fail(`not yet: ${JSON.stringify(value).slice(0, 2000)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
