/**
 * Starts the real CLI (bin/wsgi-express.js) on port 0 with real Python daemons, reads the
 * bound URL from its banner, and stops it with SIGTERM. No sleeps: start-up is awaited on
 * the server's own output.
 */
import { spawn, type ChildProcess, type ChildProcessWithoutNullStreams } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, readdirSync, existsSync } from "node:fs";
import { request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
export const BIN = join(ROOT, "bin", "wsgi-express.js");
export const APPS = join(ROOT, "test", "fixtures", "apps");

export const app = (name: string): string => join(APPS, name);

const START_TIMEOUT_MS = 30_000;

/**
 * The mode the servers this harness starts run in: `WSGI_EXPRESS_MODE=embedded` adds
 * `--embedded-mode` to every startServer() (issue #25: every daemon-mode feature that has
 * a meaning in embedded mode keeps it). `npm test` runs the files in test/run-all.ts's
 * BOTH_MODES list a second time so; the rest run in daemon mode only.
 */
export const MODE: "daemon" | "embedded" =
  process.env["WSGI_EXPRESS_MODE"] === "embedded" ? "embedded" : "daemon";

/** Test options for a test that asserts what only daemon mode has (daemon processes,
 *  their sockets and users, a crash that spares the front end...): in embedded mode it
 *  is reported as skipped, saying why, never skipped silently. `otherwise` is the
 *  test's own skip in daemon mode. */
export function daemonOnly(
  why: string,
  otherwise: boolean | string = false,
): { skip: boolean | string } {
  return { skip: MODE === "embedded" ? `daemon mode only: ${why}` : otherwise };
}

/** As daemonOnly(), for what embedded mode does not do yet (docs/embedded-mode.md,
 *  "Not available in embedded mode yet"): reported as skipped with that reason. */
export function notYetEmbedded(why: string): { skip: boolean | string } {
  return { skip: MODE === "embedded" ? `not in embedded mode yet: ${why}` : false };
}

/** `args` with `--embedded-mode` added when the harness runs in embedded mode. */
export function inMode(args: readonly string[]): string[] {
  return MODE === "embedded" && !args.includes("--embedded-mode")
    ? [...args, "--embedded-mode"]
    : [...args];
}

export interface RunningServer {
  readonly child: ChildProcess;
  readonly url: string;
  readonly port: number;
  readonly serverRoot: string;
  readonly banner: () => string;
  readonly stderr: () => string;
  /** The error log file's contents so far. */
  readonly errorLog: () => string;
  /** Sends SIGTERM (or `signal`) and resolves with the exit code once it has exited. */
  readonly stop: (signal?: NodeJS.Signals) => Promise<number | null>;
}

export interface StartOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** A command that runs node, e.g. `["prlimit", "--nofile=64:64"]`. */
  readonly launcher?: readonly string[];
  /** In a process group of its own, as a shell runs a command: signal it with
   *  `process.kill(-child.pid, ...)`, as a terminal's Ctrl-C does. */
  readonly processGroup?: boolean;
}

interface CliProcess {
  readonly child: ChildProcessWithoutNullStreams;
  readonly stdout: () => string;
  readonly stderr: () => string;
}

/** Spawns the CLI with piped output collected as text. */
function spawnCli(args: string[], options: StartOptions): CliProcess {
  const argv = [...(options.launcher ?? []), process.execPath, BIN, ...args];
  const child = spawn(argv[0] ?? process.execPath, argv.slice(1), {
    cwd: options.cwd ?? ROOT,
    env: options.env ?? process.env,
    stdio: ["pipe", "pipe", "pipe"],
    detached: options.processGroup === true,
  });
  child.stdin.end();
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  return { child, stdout: () => stdout, stderr: () => stderr };
}

export function tempDir(prefix = "wsgi-express-test-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Dropping to `--user nobody` takes root, and a Python nobody can read: one installed
 *  under /root (pyenv) is not. */
export const SYSTEM_PYTHON = "/usr/bin/python3";
export const canDropToNobody = process.getuid?.() === 0 && existsSync(SYSTEM_PYTHON);

/** A fresh directory nobody can traverse: the harness's server roots are private. */
export function dirNobodyCanReach(): string {
  const dir = tempDir();
  chmodSync(dir, 0o755);
  return dir;
}

/** Runs the daemons as nobody:nogroup on the system Python, their socket under
 *  `socketPrefix`. */
export function asNobody(socketPrefix = dirNobodyCanReach()): string[] {
  return [
    "--python-executable",
    SYSTEM_PYTHON,
    "--user",
    "nobody",
    "--group",
    "nogroup",
    "--socket-prefix",
    socketPrefix,
  ];
}

/** Starts `wsgi-express start-server ARGS --host 127.0.0.1 --port 0` in a fresh server root. */
export async function startServer(
  args: string[],
  options: StartOptions = {},
): Promise<RunningServer> {
  const serverRoot = tempDir();
  const cli = spawnCli(
    [
      "start-server",
      ...inMode(args),
      "--host",
      "127.0.0.1",
      "--port",
      "0",
      "--server-root",
      serverRoot,
    ],
    options,
  );
  const { child } = cli;
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => {
      resolve(code);
    }),
  );
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(
        new Error(
          `server did not start in time\nstdout:\n${cli.stdout()}\nstderr:\n${cli.stderr()}`,
        ),
      );
    }, START_TIMEOUT_MS);
    const check = (): void => {
      // The banner is complete once its last line (Application) has been printed.
      const out = cli.stdout();
      const match = /^Server URL\s*: (\S+)$/m.exec(out);
      if (match?.[1] && /^Application\s*:.*$/m.test(out)) {
        clearTimeout(timer);
        // The banner names the server as --server-name has it; connect to where it listens.
        const printed = new URL(match[1]);
        printed.hostname = "127.0.0.1";
        resolve(printed.href);
      }
    };
    child.stdout.on("data", check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(
        new Error(
          `server exited with ${code} before serving\nstdout:\n${cli.stdout()}\nstderr:\n${cli.stderr()}`,
        ),
      );
    });
  });
  const errorLogPath = join(serverRoot, "error_log");
  return {
    child,
    url,
    port: Number(new URL(url).port),
    serverRoot,
    banner: cli.stdout,
    stderr: cli.stderr,
    errorLog: () => (existsSync(errorLogPath) ? readFileSync(errorLogPath, "utf8") : ""),
    stop: async (signal = "SIGTERM") => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/**
 * The processes that run the front door (they hold its sockets, spools and buffers):
 * the server itself in daemon mode; in embedded mode its worker processes (the cluster
 * workers running worker-entry.js that the primary forked), read from /proc.
 */
export function frontEndPids(server: RunningServer): number[] {
  const primary = server.child.pid ?? 0;
  if (MODE === "daemon") return [primary];
  const children = readdirSync(`/proc/${String(primary)}/task`).flatMap((task) => {
    try {
      const text = readFileSync(`/proc/${String(primary)}/task/${task}/children`, "utf8");
      return text.split(" ").filter(Boolean).map(Number);
    } catch {
      return []; // The thread ended while we looked.
    }
  });
  return children.filter((pid) => {
    try {
      return readFileSync(`/proc/${String(pid)}/cmdline`, "utf8").includes("worker-entry.js");
    } catch {
      return false; // Gone while we looked.
    }
  });
}

/** The one process running the front door (a server started with one process). */
export function frontEndPid(server: RunningServer): number {
  const pids = frontEndPids(server);
  if (pids.length !== 1) throw new Error(`expected one front-end process, found ${pids.join()}`);
  return pids[0] ?? 0;
}

export interface CliResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI to completion (for commands that should fail or exit by themselves). */
export function runCli(args: string[], options: StartOptions = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    const { child, stdout, stderr } = spawnCli(args, options);
    const timer = setTimeout(() => child.kill("SIGKILL"), START_TIMEOUT_MS);
    child.once("exit", (status) => {
      clearTimeout(timer);
      resolve({ status, stdout: stdout(), stderr: stderr() });
    });
  });
}

export interface Response {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

export interface RequestOptions {
  readonly method?: string;
  readonly headers?: Record<string, string | string[]>;
  readonly body?: Buffer | string;
}

/** One request on a fresh connection; resolves with the whole response. */
export function request(url: string, options: RequestOptions = {}): Promise<Response> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      { method: options.method ?? "GET", headers: options.headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => {
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks),
          });
        });
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(options.body);
  });
}

/** Writes raw bytes on a new connection and collects everything until the server closes
 *  it or goes quiet for `quietMs`. */
export function rawExchange(port: number, bytes: string | Buffer, quietMs = 1000): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    const chunks: Buffer[] = [];
    let timer = setTimeout(() => socket.end(), quietMs);
    socket.on("data", (chunk) => {
      chunks.push(chunk);
      clearTimeout(timer);
      timer = setTimeout(() => socket.end(), quietMs);
    });
    socket.on("error", reject);
    socket.on("close", () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks));
    });
    socket.write(bytes);
  });
}

/** Polls `read` until `predicate` holds (for log lines written asynchronously). */
export async function eventually<T>(
  read: () => T,
  predicate: (value: T) => boolean,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (predicate(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`condition not met in time; last value: ${String(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * POSTs `size` bytes in 1 MiB blocks with back-pressure (so the client never holds the
 * whole body), calling `onBlock` after each block; resolves with the response text and
 * the number of response bytes.
 */
export function postInBlocks(
  url: string,
  size: number,
  onBlock: () => void = () => undefined,
): Promise<{ status: number; text: string; bytes: number }> {
  const block = Buffer.alloc(Math.min(size, 1024 * 1024), 0x61);
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, {
      method: "POST",
      agent: false,
      headers: { "Content-Length": String(size) },
    });
    req.on("response", (res) => {
      const chunks: Buffer[] = [];
      let bytes = 0;
      res.on("data", (chunk: Buffer) => {
        bytes += chunk.length;
        if (chunks.length < 16) chunks.push(chunk);
      });
      res.on("end", () => {
        resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString(), bytes });
      });
    });
    req.on("error", reject);
    let sent = 0;
    const pump = (): void => {
      while (sent < size) {
        const piece = block.subarray(0, Math.min(block.length, size - sent));
        sent += piece.length;
        onBlock();
        if (!req.write(piece)) {
          req.once("drain", pump);
          return;
        }
      }
      req.end();
    };
    pump();
  });
}
