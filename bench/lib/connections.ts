/**
 * How a server's processes share wrk's connections, read from /proc (Linux). A peer whose
 * workers each accept for themselves (gunicorn, uWSGI, Apache's children) may hand one
 * worker nearly all of them for the whole run, since wrk keeps its connections: gunicorn
 * gthread then serves at a fraction of its usual rate (bench/PROFILE.md, "Fourth pass").
 * The report shows the spread so such a run can be told from a slow server.
 */
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { readOr, treePids } from "./proc-tree.js";

const ESTABLISHED = "01";

/** The socket inodes of /proc/net/tcp or tcp6 lines that are established connections
 *  on local port `port`. */
export function establishedInodes(table: string, port: number): Set<string> {
  const inodes = new Set<string>();
  for (const line of table.split("\n").slice(1)) {
    const fields = line.trim().split(/\s+/);
    const local = fields[1];
    if (local === undefined || fields[3] !== ESTABLISHED) continue;
    const localPort = Number.parseInt(local.slice(local.lastIndexOf(":") + 1), 16);
    const inode = fields[9];
    if (localPort === port && inode !== undefined) inodes.add(inode);
  }
  return inodes;
}

/** How many of those sockets process `pid` holds open. */
function heldBy(pid: number, inodes: ReadonlySet<string>): number {
  let held = 0;
  for (const fd of readOr(() => readdirSync(`/proc/${pid}/fd`), [] as string[])) {
    const target = readOr(() => readlinkSync(`/proc/${pid}/fd/${fd}`), "");
    const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
    if (inode !== undefined && inodes.has(inode)) held += 1;
  }
  return held;
}

/** Connections to `port` held by each process of the tree under `root` that holds any,
 *  most first. */
export function connectionsPerProcess(root: number, port: number): number[] {
  const table = (name: string): string =>
    readOr(() => readFileSync(`/proc/net/${name}`, "latin1"), "");
  const inodes = establishedInodes(table("tcp") + table("tcp6"), port);
  // Concatenated, the second table's header line is skipped as a malformed row.
  return treePids(root)
    .map((pid) => heldBy(pid, inodes))
    .filter((held) => held > 0)
    .sort((a, b) => b - a);
}
