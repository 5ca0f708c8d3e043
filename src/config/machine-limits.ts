/** What this machine allows the server, read from /proc (Linux); null where unknown. */
import { readFileSync } from "node:fs";

/** The soft RLIMIT_NOFILE (node raises it to the hard limit at start-up). */
export function readOpenFileLimit(): number | null {
  const match = /^Max open files\s+(\d+|unlimited)/m.exec(readProc("/proc/self/limits"));
  if (!match?.[1] || match[1] === "unlimited") return null;
  return Number(match[1]);
}

/** Memory that processes can still take: available RAM plus free swap, in bytes. */
export function readAvailableMemory(): number | null {
  const meminfo = readProc("/proc/meminfo");
  const available = /^MemAvailable:\s+(\d+) kB/m.exec(meminfo)?.[1];
  if (available === undefined) return null;
  const swap = /^SwapFree:\s+(\d+) kB/m.exec(meminfo)?.[1] ?? "0";
  return (Number(available) + Number(swap)) * 1024;
}

function readProc(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
}
