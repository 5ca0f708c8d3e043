/**
 * `mkdir -p`, one level at a time. node's own recursive mode never ends where a parent
 * exists but refuses the child with ENOENT (a path under /proc): the asynchronous form
 * retries for ever, and the synchronous one returns as if it had made the directory.
 * Here each missing level is made with a plain mkdir, whose error is then the answer.
 */
import { mkdirSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";

/** Makes `path` and its missing parents (`mode` for those made); throws if impossible. */
export function makeDirectories(path: string, mode?: number): void {
  const missing: string[] = [];
  let current = resolve(path);
  while (!exists(current)) {
    missing.push(current);
    const parent = dirname(current);
    if (parent === current) break;
    current = parent;
  }
  for (const directory of missing.reverse()) {
    try {
      mkdirSync(directory, { mode });
    } catch (error) {
      // Made meanwhile by someone else: as good, if it is a directory (checked below).
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
  }
  if (!statSync(path).isDirectory()) {
    throw Object.assign(new Error(`ENOTDIR: not a directory, mkdir '${path}'`), {
      code: "ENOTDIR",
    });
  }
}

function exists(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false }) !== undefined;
}
