/**
 * CPU time and memory of a server's whole process tree, read from /proc (Linux).
 *
 * CPU: utime+stime of every live process in the tree plus cutime+cstime, which hold
 * the times of children that exited and were reaped, so a worker recycled during a run
 * is still counted (proc(5)). Sample before and after a run; the difference is the
 * tree's CPU for that run. RSS: the sum of every process's resident pages (statm), so
 * pages shared between forked workers count once per process, as `ps` shows them.
 */
import { readdirSync, readFileSync } from "node:fs";

/** Clock ticks per second (getconf CLK_TCK) and page size: fixed on Linux x86-64. */
export const CLOCK_TICKS = 100;
export const PAGE_SIZE = 4096;

export interface ProcStat {
  readonly pid: number;
  readonly ppid: number;
  /** utime + stime + cutime + cstime, in clock ticks. */
  readonly ticks: number;
  /** The kernel's share of ticks: stime + cstime. */
  readonly sysTicks: number;
}

/** Parses /proc/PID/stat. The command name may hold spaces and ')', so split after the last ')'. */
export function parseStat(text: string): ProcStat {
  const open = text.indexOf("(");
  const close = text.lastIndexOf(")");
  if (open < 0 || close < open) throw new Error(`not a /proc stat line: ${text.slice(0, 80)}`);
  const pid = Number(text.slice(0, open).trim());
  // Fields from 3 (state) on; proc(5) numbers utime 14, stime 15, cutime 16, cstime 17.
  const rest = text
    .slice(close + 2)
    .trim()
    .split(/\s+/);
  const field = (n: number): number => Number(rest[n - 3]);
  const sysTicks = field(15) + field(17);
  return { pid, ppid: field(4), ticks: field(14) + field(16) + sysTicks, sysTicks };
}

/** `read()`, or `fallback` when it throws: the process exited between listing and
 *  reading, or is not ours to look into. */
export function readOr<T>(read: () => T, fallback: T): T {
  try {
    return read();
  } catch {
    return fallback;
  }
}

export function listProcesses(): ProcStat[] {
  const stats: ProcStat[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readOr(() => parseStat(readFileSync(`/proc/${entry}/stat`, "latin1")), null);
    if (stat) stats.push(stat);
  }
  return stats;
}

/** The root and all its descendants, found through parent pids. */
export function treeOf(root: number, all: readonly ProcStat[]): ProcStat[] {
  const children = new Map<number, ProcStat[]>();
  for (const stat of all) {
    const siblings = children.get(stat.ppid) ?? [];
    siblings.push(stat);
    children.set(stat.ppid, siblings);
  }
  const tree = all.filter((stat) => stat.pid === root);
  for (let i = 0; i < tree.length; i++) {
    const current = tree[i];
    if (current) tree.push(...(children.get(current.pid) ?? []));
  }
  return tree;
}

export function treePids(root: number): number[] {
  return treeOf(root, listProcesses()).map((stat) => stat.pid);
}

/** CPU seconds used so far by the tree (live processes and reaped children). */
export function treeCpuSeconds(root: number): number {
  const ticks = treeOf(root, listProcesses()).reduce((sum, stat) => sum + stat.ticks, 0);
  return ticks / CLOCK_TICKS;
}

export function rssBytes(pid: number): number {
  const statm = readOr(() => readFileSync(`/proc/${pid}/statm`, "latin1"), "0 0");
  return Number(statm.split(" ")[1] ?? 0) * PAGE_SIZE;
}

/** Summed resident memory of the tree, and of the root process alone. */
export function treeRss(root: number): { total: number; root: number } {
  // The root is read once and counted in the total from that one reading: read twice,
  // the two could differ and the total come out below the root.
  const rootRss = rssBytes(root);
  const others = treePids(root).filter((pid) => pid !== root);
  return { total: others.reduce((sum, pid) => sum + rssBytes(pid), rootRss), root: rootRss };
}

/** Samples the tree's RSS on an interval and keeps the peaks. */
export class RssSampler {
  peak = 0;
  rootPeak = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly root: number,
    intervalMs = 100,
  ) {
    this.sample();
    this.timer = setInterval(() => {
      this.sample();
    }, intervalMs);
  }

  private sample(): void {
    const rss = treeRss(this.root);
    this.peak = Math.max(this.peak, rss.total);
    this.rootPeak = Math.max(this.rootPeak, rss.root);
  }

  stop(): { peak: number; rootPeak: number } {
    clearInterval(this.timer);
    this.sample();
    return { peak: this.peak, rootPeak: this.rootPeak };
  }
}
