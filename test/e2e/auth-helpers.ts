/** The access and auth scripts' fixtures, and curl as the client that speaks Basic and
 *  Digest (its own implementation, not ours). */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { ROOT, eventually, type RunningServer } from "./harness.js";

const run = promisify(execFile);

export const authScript = (name: string): string => join(ROOT, "test", "fixtures", "auth", name);

export interface CurlResult {
  readonly status: number;
  readonly body: string;
  /** curl's -v trace: the request headers it sent (`> `) and got back (`< `). */
  readonly trace: string;
}

/** One curl run; the status of the last response (after a Digest challenge, the retry). */
export async function curl(url: string, args: readonly string[] = []): Promise<CurlResult> {
  const { stdout, stderr } = await run(
    "curl",
    ["-sS", "-v", "--max-time", "60", "-w", "\n%{http_code}", ...args, url],
    { maxBuffer: 16 * 1024 * 1024 },
  );
  const cut = stdout.lastIndexOf("\n");
  return { status: Number(stdout.slice(cut + 1)), body: stdout.slice(0, cut), trace: stderr };
}

/** The environ.wsgi fixture's JSON answer. */
export function environOf(result: CurlResult): Record<string, unknown> {
  return JSON.parse(result.body) as Record<string, unknown>;
}

/** Waits for the error log to hold a line matching `pattern` (it is written
 *  asynchronously, maybe after the response). */
export async function logged(server: RunningServer, pattern: RegExp): Promise<string> {
  return eventually(server.errorLog, (text) => pattern.test(text));
}
