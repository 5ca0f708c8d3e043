/**
 * In-memory stand-ins for the outside world, so that parsing, resolution and the CLI
 * run in-process with no files, no child processes and no real environment.
 */
import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { resolveConfig } from "../../../src/config/resolve.js";
import type { ServerConfig } from "../../../src/config/server-config.js";
import type {
  Environment,
  FileChecks,
  ProbeResult,
  PythonProbe,
  ResolveContext,
} from "../../../src/config/context.js";
import { parseCommandLine, type ParsedArgs } from "../../../src/options/parse.js";

/** A stream that keeps what is written to it. */
export class Capture extends Writable {
  text = "";

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }

  lines(): string[] {
    return this.text.split("\n").filter((line) => line !== "");
  }
}

export const CWD = "/work/app";
export const SCRIPT = "/work/app/app.wsgi";
export const SYSTEM_PYTHON = "/usr/bin/python3";

export interface FakeFiles extends FileChecks {
  readonly directories: Set<string>;
  readonly files: Set<string>;
  readonly executables: Set<string>;
}

export function fakeFiles(): FakeFiles {
  const directories = new Set([CWD, "/work/app/lib", "/work/other", "/usr/bin"]);
  const files = new Set([
    SCRIPT,
    SYSTEM_PYTHON,
    "/work/app/readme.txt",
    "/work/app/site.crt",
    "/work/app/site.key",
    "/work/app/ca.crt",
  ]);
  const executables = new Set([SYSTEM_PYTHON]);
  return {
    directories,
    files,
    executables,
    exists: (path) => directories.has(path) || files.has(path),
    isFile: (path) => files.has(path),
    isDirectory: (path) => directories.has(path),
    isExecutable: (path) => executables.has(path),
  };
}

export const PYTHON_311: ProbeResult = {
  ok: true,
  versionInfo: [3, 11, 7, "final", 0],
  version: "3.11.7 (main, Jan 1 2024, 00:00:00) [GCC 12.2.0]",
  prefix: "/usr",
  coverage: true,
};

/** A probe that answers `result` and records the executables it was asked about. */
export function fakeProbe(result: ProbeResult = PYTHON_311): PythonProbe & { calls: string[] } {
  const calls: string[] = [];
  const probe = (executable: string): Promise<ProbeResult> => {
    calls.push(executable);
    return Promise.resolve(result);
  };
  return Object.assign(probe, { calls });
}

export const BASE_ENV: Environment = { PATH: "/usr/local/bin:/usr/bin", HOME: "/home/u" };

export function fakeContext(overrides: Partial<ResolveContext> = {}): ResolveContext {
  return {
    env: BASE_ENV,
    cwd: CWD,
    uid: 1000,
    pid: 4242,
    files: fakeFiles(),
    probePython: fakeProbe(),
    machineLimits: { openFiles: null, memory: null },
    ...overrides,
  };
}

/** Parses a command line that must parse (not help) into its arguments. */
export function parseArgs(argv: readonly string[], env: Environment = BASE_ENV): ParsedArgs {
  const outcome = parseCommandLine(argv, { stdout: new Capture(), stderr: new Capture(), env });
  if (outcome.kind !== "run") throw new Error(`expected a command to run: ${argv.join(" ")}`);
  return outcome.args;
}

/** `start-server app.wsgi --server-root /srv/root ...argv` resolved in `context`; async,
 *  so that a value the parser refuses is a rejection too. */
export async function resolveStartServer(
  argv: readonly string[],
  context: ResolveContext = fakeContext(),
): Promise<ServerConfig> {
  const command = ["start-server", "app.wsgi", "--server-root", "/srv/root", ...argv];
  return resolveConfig(parseArgs(command, context.env), context);
}

/** Rejects with error `code`, its message naming `option` first (`--option: ...`). */
export async function rejectsNaming(
  config: Promise<unknown>,
  code: string,
  option: string,
): Promise<void> {
  await assert.rejects(
    config,
    (error: { code?: string; message?: string }) =>
      error.code === code && (error.message ?? "").startsWith(`${option}: `),
  );
}
