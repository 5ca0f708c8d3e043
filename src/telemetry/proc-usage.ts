/**
 * A daemon process's CPU time and resident memory, from Linux's /proc (proc(5)):
 * utime and stime (fields 14 and 15 of /proc/<pid>/stat, in clock ticks) and VmRSS
 * (/proc/<pid>/status). Elsewhere, or once the process is gone: null.
 */
import { readFile } from "node:fs/promises";

export interface ProcessUsage {
  /** User plus system CPU seconds since it started. */
  readonly cpuSeconds: number;
  readonly rss: number;
}

/** USER_HZ: 100 on every Linux architecture node runs on (sysconf(_SC_CLK_TCK)). */
const TICKS_PER_SECOND = 100;

export async function readUsage(pid: number): Promise<ProcessUsage | null> {
  try {
    const [stat, status] = await Promise.all([
      readFile(`/proc/${pid}/stat`, "latin1"),
      readFile(`/proc/${pid}/status`, "latin1"),
    ]);
    return parseUsage(stat, status);
  } catch {
    return null;
  }
}

export function parseUsage(stat: string, status: string): ProcessUsage | null {
  // The command name (field 2) is in parentheses and may hold spaces: split after it.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  const rss = /^VmRSS:\s*(\d+)\s*kB$/m.exec(status)?.[1];
  if (!Number.isFinite(utime) || !Number.isFinite(stime) || rss === undefined) return null;
  return { cpuSeconds: (utime + stime) / TICKS_PER_SECOND, rss: Number(rss) * 1024 };
}
