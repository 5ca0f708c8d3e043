/**
 * Runs wrk (one thread, keep-alive connections, --latency) and parses its report.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface WrkResult {
  readonly requests: number;
  readonly seconds: number;
  readonly rps: number;
  readonly meanMs: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Socket errors (connect, read, write, timeout) plus non-2xx/3xx responses. */
  readonly errors: number;
}

export interface WrkOptions {
  readonly url: string;
  readonly connections: number;
  readonly seconds: number;
  readonly script: string | null;
}

const UNIT_MS: Readonly<Record<string, number>> = { us: 0.001, ms: 1, s: 1000, m: 60000 };

function toMs(value: string, unit: string): number {
  const scale = UNIT_MS[unit];
  if (scale === undefined) throw new Error(`unknown wrk latency unit "${unit}"`);
  return Number(value) * scale;
}

function latency(output: string, percent: number): number {
  const match = new RegExp(`^\\s*${percent}(?:\\.0+)?%\\s+([\\d.]+)(us|ms|s|m)\\s*$`, "m").exec(
    output,
  );
  return match?.[1] && match[2] ? toMs(match[1], match[2]) : Number.NaN;
}

/** The Avg column of the "Latency" line of wrk's thread stats. */
function mean(output: string): number {
  const match = /^\s*Latency\s+([\d.]+)(us|ms|s|m)\s/m.exec(output);
  return match?.[1] && match[2] ? toMs(match[1], match[2]) : Number.NaN;
}

export function parseWrk(output: string): WrkResult {
  const total = /(\d+) requests in ([\d.]+)(us|ms|s|m),/.exec(output);
  if (!total?.[1] || !total[2] || !total[3]) {
    throw new Error(`unreadable wrk output: ${output.slice(0, 300)}`);
  }
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(
    output,
  );
  const socketErrors = socket ? socket.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0;
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(output)?.[1] ?? 0);
  const requests = Number(total[1]);
  const seconds = toMs(total[2], total[3]) / 1000;
  return {
    requests,
    seconds,
    rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(output)?.[1] ?? requests / seconds),
    meanMs: mean(output),
    p50Ms: latency(output, 50),
    p99Ms: latency(output, 99),
    errors: socketErrors + non2xx,
  };
}

export function wrkArgs(options: WrkOptions): string[] {
  const args = ["-t1", `-c${options.connections}`, `-d${options.seconds}s`, "--latency"];
  // wrk's default 2 s timeout: a connection the server leaves unserved for that long
  // (a thread pool smaller than the connection count) shows up as timeout errors.
  if (options.script) args.push("-s", options.script);
  args.push(options.url);
  return args;
}

export async function runWrk(options: WrkOptions): Promise<WrkResult> {
  const { stdout } = await run("wrk", wrkArgs(options), {
    timeout: (options.seconds + 30) * 1000,
    maxBuffer: 1024 * 1024,
  });
  return parseWrk(stdout);
}
