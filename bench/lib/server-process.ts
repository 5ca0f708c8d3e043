/**
 * One peer server under test: spawned in its own process group, ready when it answers
 * HTTP, and stopped with SIGTERM then SIGKILL to the whole group (STYLE.md, practice 6).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { request } from "node:http";
import { request as secureRequest } from "node:https";
import { setTimeout as sleep } from "node:timers/promises";
import { treePids } from "./proc-tree.js";

export interface Launch {
  readonly command: string;
  readonly args: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
  /** The port chosen beforehand, or null when the server prints it (wsgi-express). */
  readonly port: number | null;
  readonly portPattern?: RegExp;
  /** The port speaks HTTPS only (a self-signed certificate): readiness is asked over TLS. */
  readonly secure?: boolean;
}

const START_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 10_000;

export interface HttpAnswer {
  readonly status: number;
  readonly bytes: number;
}

/** One request on a fresh connection; rejects on a socket error or after 10 s. */
export function fetchOnce(
  port: number,
  method: string,
  bodyBytes: number,
  secure = false,
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const headers = bodyBytes > 0 ? { "Content-Length": String(bodyBytes) } : {};
    const options = { host: "127.0.0.1", port, method, path: "/", headers, agent: false };
    const req = secure
      ? secureRequest({ ...options, rejectUnauthorized: false })
      : request(options);
    req.setTimeout(10_000, () => {
      req.destroy(new Error("no answer within 10 s"));
    });
    req.on("error", reject);
    req.on("response", (res) => {
      let bytes = 0;
      res.on("data", (chunk: Buffer) => {
        bytes += chunk.length;
      });
      res.on("end", () => {
        resolve({ status: res.statusCode ?? 0, bytes });
      });
      res.on("error", reject);
    });
    req.end(bodyBytes > 0 ? Buffer.alloc(bodyBytes, "u") : undefined);
  });
}

export class ServerProcess {
  private output = "";
  private exited = false;

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
    public port: number,
  ) {
    child.stdout?.on("data", (chunk: Buffer) => {
      this.keep(chunk);
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      this.keep(chunk);
    });
    child.on("exit", () => (this.exited = true));
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  /** The last lines the server printed, for a failure report. */
  tail(lines = 8): string {
    return this.output.trimEnd().split("\n").slice(-lines).join("\n");
  }

  private keep(chunk: Buffer): void {
    this.output = (this.output + chunk.toString("utf8")).slice(-16_384);
  }

  static async start(name: string, launch: Launch): Promise<ServerProcess> {
    const child = spawn(launch.command, launch.args, {
      cwd: launch.cwd,
      env: { ...process.env, ...launch.env },
      detached: true, // its own process group, so stop() reaches every descendant
      stdio: ["ignore", "pipe", "pipe"],
    });
    const server = new ServerProcess(name, child, launch.port ?? 0);
    try {
      await server.waitReady(launch);
    } catch (error) {
      await server.stop();
      throw error;
    }
    return server;
  }

  private async waitReady(launch: Launch): Promise<void> {
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (this.exited) throw new Error(`${this.name} exited during start-up:\n${this.tail()}`);
      if (this.port === 0 && launch.portPattern) {
        const found = launch.portPattern.exec(this.output)?.[1];
        if (found) this.port = Number(found);
      }
      if (this.port !== 0 && (await this.answers(launch.secure === true))) return;
      await sleep(100);
    }
    throw new Error(`${this.name} did not answer within ${START_TIMEOUT_MS} ms:\n${this.tail()}`);
  }

  private async answers(secure: boolean): Promise<boolean> {
    try {
      await fetchOnce(this.port, "GET", 0, secure);
      return true;
    } catch {
      return false;
    }
  }

  /** SIGTERM to the leader, then SIGKILL to every process of the tree left after the grace. */
  async stop(): Promise<void> {
    const pids = this.exited ? [] : treePids(this.pid);
    this.signal(this.pid, "SIGTERM");
    const deadline = Date.now() + STOP_GRACE_MS;
    while (Date.now() < deadline && (!this.exited || pids.some(alive))) await sleep(50);
    this.signal(-this.pid, "SIGKILL");
    for (const pid of pids.filter(alive)) this.signal(pid, "SIGKILL");
  }

  private signal(pid: number, signal: NodeJS.Signals): void {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

/** True while the process exists and is not a zombie waiting for a reaper. */
function alive(pid: number): boolean {
  try {
    return parseState(readFileSync(`/proc/${pid}/stat`, "latin1")) !== "Z";
  } catch {
    return false;
  }
}

function parseState(stat: string): string {
  return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
}
