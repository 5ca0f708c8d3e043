/**
 * Shared by the request and response spool tests: the front end's open spool files, and
 * the bytes streaming.wsgi sends, for checking a response byte for byte.
 */
import { readdirSync, readlinkSync } from "node:fs";

/** The files a process holds open whose path contains `part` (Linux's /proc). */
export function openFilesUnder(pid: number, part: string): string[] {
  const links: string[] = [];
  for (const fd of readdirSync(`/proc/${String(pid)}/fd`)) {
    try {
      links.push(readlinkSync(`/proc/${String(pid)}/fd/${fd}`));
    } catch {
      // Closed while we looked.
    }
  }
  return links.filter((link) => link.includes(part));
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
