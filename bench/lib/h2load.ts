/**
 * h2load (Debian's nghttp2-client) for the HTTP/2 rows of tls-bench.ts: one run and
 * its report read.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface H2loadResult {
  readonly requests: number;
  readonly rps: number;
  readonly meanMs: number;
  /** Requests failed (non-2xx/3xx), errored or timed out. */
  readonly errors: number;
}

/** h2load's report: requests done and failed, req/s, mean time per request. */
export function parseH2load(output: string): H2loadResult {
  const finished = /finished in ([\d.]+)s, ([\d.]+) req\/s/.exec(output);
  const requests =
    /requests: \d+ total, \d+ started, (\d+) done, (\d+) succeeded, (\d+) failed, (\d+) errored, (\d+) timeout/.exec(
      output,
    );
  const time = /time for request:\s+[\d.]+\w+\s+[\d.]+\w+\s+([\d.]+)(us|ms|s)\s/.exec(output);
  if (!finished?.[2] || !requests?.[1] || !time?.[1]) {
    throw new Error(`unreadable h2load output: ${output.slice(0, 300)}`);
  }
  const scale = time[2] === "us" ? 0.001 : time[2] === "s" ? 1000 : 1;
  const [, , , failed = "0", errored = "0", timeout = "0"] = requests;
  return {
    requests: Number(requests[1]),
    rps: Number(finished[2]),
    meanMs: Number(time[1]) * scale,
    errors: Number(failed) + Number(errored) + Number(timeout),
  };
}

/** `streams` concurrent streams on each of `connections` connections for `seconds`. */
export async function runH2load(
  url: string,
  connections: number,
  streams: number,
  seconds: number,
): Promise<H2loadResult> {
  const { stdout } = await run(
    "h2load",
    ["-t1", `-c${connections}`, `-m${streams}`, `-D${seconds}`, url],
    { timeout: (seconds + 30) * 1000, maxBuffer: 1024 * 1024 },
  );
  return parseH2load(stdout);
}
