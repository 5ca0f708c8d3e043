/**
 * What the kernel says about a daemon process (Linux /proc). Elsewhere the values are
 * unknown (null) and the rules that need them do not fire.
 */
import { readFile } from "node:fs/promises";

/** Resident set size in bytes (VmRSS in /proc/<pid>/status), or null. */
export async function readRss(pid: number): Promise<number | null> {
  let text: string;
  try {
    text = await readFile(`/proc/${pid}/status`, "latin1");
  } catch {
    return null;
  }
  return parseRss(text);
}

export function parseRss(status: string): number | null {
  const match = /^VmRSS:\s*(\d+)\s*kB$/m.exec(status);
  return match?.[1] === undefined ? null : Number(match[1]) * 1024;
}
