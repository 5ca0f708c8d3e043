/**
 * Shared by the spool tests: the front end's open spool files, the bytes streaming.wsgi
 * sends, for checking a response byte for byte, and clients that ask for a large
 * response and read none of it (yet).
 */
import { readdirSync, readFileSync, readlinkSync, statSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { frontEndPid, request, type RunningServer } from "./harness.js";

/** The files a process holds open whose path contains `part` (Linux's /proc). */
export function openFilesUnder(pid: number, part: string): string[] {
  return openUnder(pid, part).map((file) => file.link);
}

/** The sizes of those files (an unlinked file's too, through its descriptor). */
export function openFileSizes(pid: number, part: string): number[] {
  return openUnder(pid, part).map((file) => statSync(file.path).size);
}

function openUnder(pid: number, part: string): { path: string; link: string }[] {
  const files = [];
  for (const fd of readdirSync(`/proc/${String(pid)}/fd`)) {
    const path = `/proc/${String(pid)}/fd/${fd}`;
    try {
      files.push({ path, link: readlinkSync(path) });
    } catch {
      // Closed while we looked.
    }
  }
  return files.filter((file) => file.link.includes(part));
}

/** What streaming.wsgi sends for ?seed=: bytes 0-255 rotated by seed + chunk index. */
export function seededBody(seed: number, chunks: number, size: number): Buffer {
  const row = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
  const parts = [];
  for (let index = 0; index < chunks; index++) {
    const offset = (seed + index) % 256;
    const rotated = Buffer.concat([row.subarray(offset), row.subarray(0, offset)]);
    const repeated = Buffer.concat(Array<Buffer>(Math.ceil(size / 256) + 1).fill(rotated));
    parts.push(repeated.subarray(0, size));
  }
  return Buffer.concat(parts);
}

export const MB = 1024 * 1024;
/** MiB in a stalled read's response: past --response-buffer-size and socket buffers. */
export const CHUNKS = 24;

export interface StalledRead {
  readonly socket: Socket;
  /** Resumes reading; resolves with the response body once the server closes. */
  readonly readAll: () => Promise<Buffer>;
}

/** Asks for CHUNKS MiB of seeded bytes (or of `query`) and reads none of them (yet). */
export function stalledRead(server: RunningServer, seed: number, query?: string): StalledRead {
  const socket = connect(server.port, "127.0.0.1");
  socket.on("error", () => undefined);
  socket.pause();
  const path = `/?${query ?? `chunks=${String(CHUNKS)}&size=${String(MB)}&seed=${String(seed)}`}`;
  socket.write(
    `GET ${path} HTTP/1.1\r\nHost: a\r\nAccept-Encoding: gzip\r\nConnection: close\r\n\r\n`,
  );
  const readAll = (): Promise<Buffer> =>
    new Promise((resolve) => {
      const chunks: Buffer[] = [];
      socket.on("data", (chunk: Buffer) => chunks.push(chunk));
      socket.once("close", () => {
        resolve(dechunk(Buffer.concat(chunks)));
      });
      socket.resume();
    });
  return { socket, readAll };
}

/** The body of a chunked HTTP/1.1 response. */
export function dechunk(response: Buffer): Buffer {
  let at = response.indexOf("\r\n\r\n") + 4;
  const parts: Buffer[] = [];
  for (;;) {
    const lineEnd = response.indexOf("\r\n", at);
    const size = parseInt(response.subarray(at, lineEnd).toString("latin1"), 16);
    if (!(size > 0)) return Buffer.concat(parts);
    parts.push(response.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
}

export const responseFiles = (server: RunningServer): string[] =>
  openFilesUnder(frontEndPid(server), "/response-bodies/");

/** A small request, answered or not within `ms` (one that is not may still be later). */
export async function answeredWithin(server: RunningServer, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => {
      resolve(false);
    }, ms);
  });
  const answered = request(`${server.url}?chunks=1&size=5`).then(
    (res) => res.status === 200,
    () => false,
  );
  try {
    return await Promise.race([answered, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Bytes of a connection that wait in the kernel: sent by the server but not yet read by
 * the client whose local port is `clientPort` (rx_queue of its socket plus tx_queue of
 * the server's, from Linux's /proc/net/tcp). What a client that stopped reading leaves
 * unread is split between these queues, the front end's memory and its spool file; the
 * kernel's share grows with its buffer autotuning, which load changes.
 */
export function kernelQueued(clientPort: number): number {
  const port = clientPort.toString(16).toUpperCase().padStart(4, "0");
  let queued = 0;
  for (const line of readFileSync("/proc/net/tcp", "latin1").split("\n").slice(1)) {
    const fields = line.trim().split(/\s+/);
    const [local, remote, , queues] = fields.slice(1, 5);
    if (local === undefined || remote === undefined || queues === undefined) continue;
    if (!local.endsWith(`:${port}`) && !remote.endsWith(`:${port}`)) continue;
    const [tx, rx] = queues.split(":").map((hex) => parseInt(hex, 16));
    queued += (tx ?? 0) + (rx ?? 0);
  }
  return queued;
}
