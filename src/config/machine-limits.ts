/** What this machine allows the server, read from /proc and /sys (Linux); null where
 *  unknown. */
import { readFileSync } from "node:fs";
import { posix } from "node:path";

/** Reads a file as text; "" when it cannot be read. */
export type ReadText = (path: string) => string;

/** The soft RLIMIT_NOFILE (node raises it to the hard limit at start-up). */
export function readOpenFileLimit(read: ReadText = readProc): number | null {
  const match = /^Max open files\s+(\d+|unlimited)/m.exec(read("/proc/self/limits"));
  if (!match?.[1] || match[1] === "unlimited") return null;
  return Number(match[1]);
}

/** Memory that processes can still take, in bytes: the machine's available RAM plus
 *  free swap, or less where the cgroup this process runs in (a container's) has a
 *  memory limit: /proc/meminfo shows the host's memory even inside a container. */
export function readAvailableMemory(read: ReadText = readProc): number | null {
  const host = hostAvailable(read("/proc/meminfo"));
  const cgroup = cgroupRoom(read("/proc/self/cgroup"), read);
  if (host === null) return cgroup;
  return cgroup === null ? host : Math.min(host, cgroup);
}

function hostAvailable(meminfo: string): number | null {
  const available = /^MemAvailable:\s+(\d+) kB/m.exec(meminfo)?.[1];
  if (available === undefined) return null;
  const swap = /^SwapFree:\s+(\d+) kB/m.exec(meminfo)?.[1] ?? "0";
  return (Number(available) + Number(swap)) * 1024;
}

const CGROUP_ROOT = "/sys/fs/cgroup";

/** Where each cgroup version keeps a memory limit, in the order they are looked for:
 *  the line of /proc/self/cgroup with the process's path, the hierarchy's mount, and
 *  the limit and usage files. */
const HIERARCHIES = [
  {
    line: /^0::(\/.*)$/m,
    mount: CGROUP_ROOT,
    files: ["memory.max", "memory.current"],
  },
  {
    line: /^\d+:(?:[^:]*,)?memory(?:,[^:]*)?:(\/.*)$/m,
    mount: posix.join(CGROUP_ROOT, "memory"),
    files: ["memory.limit_in_bytes", "memory.usage_in_bytes"],
  },
] as const;

/** Room left under the memory limit of this process's cgroup: cgroup v2's memory.max
 *  and memory.current, else v1's limit_in_bytes and usage_in_bytes. A cgroup namespace
 *  shows the process at "/" of its own hierarchy; without one, the listed path may not
 *  exist in the mount, and the mount's root is the cgroup. Null without a limit. */
function cgroupRoom(cgroups: string, read: ReadText): number | null {
  for (const { line, mount, files } of HIERARCHIES) {
    const path = line.exec(cgroups)?.[1];
    if (path === undefined) continue;
    for (const directory of [posix.join(mount, path), mount]) {
      const limit = read(posix.join(directory, files[0]));
      if (limit !== "") return room(limit, read(posix.join(directory, files[1])));
    }
  }
  return null;
}

/** "max" (v2) and v1's near-2^63 mean no limit. */
function room(limitText: string, usageText: string): number | null {
  const limit = Number(limitText.trim());
  const usage = Number(usageText.trim()) || 0;
  if (!Number.isFinite(limit) || limit <= 0 || limit >= 2 ** 60) return null;
  return Math.max(0, limit - usage);
}

function readProc(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
}
