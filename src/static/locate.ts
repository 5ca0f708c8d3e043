/**
 * The last guard: resolve a routed path on disk and require that its real path (every
 * symlink followed) stays under the real root, so a link pointing out is refused.
 */
import type { Stats } from "node:fs";
import { realpath, stat } from "node:fs/promises";
import { join, sep } from "node:path";

export type Located =
  | { readonly kind: "missing" }
  | { readonly kind: "outside" }
  | { readonly kind: "file"; readonly path: string; readonly stats: Stats }
  | { readonly kind: "directory"; readonly path: string };

const MISSING: Located = { kind: "missing" };

/** A file alias's root is the file itself, so it is found only for its exact URL. */
export async function locate(root: string, segments: readonly string[]): Promise<Located> {
  // The path first: most requests name no file, and then this one call is all they cost.
  const real = await realOrNull(join(root, ...segments));
  if (real === null) return MISSING;
  const realRoot = await realRootOf(root);
  if (realRoot === null) return MISSING;
  if (real !== realRoot && !real.startsWith(realRoot.endsWith(sep) ? realRoot : realRoot + sep)) {
    return { kind: "outside" };
  }
  let stats: Stats;
  try {
    stats = await stat(real);
  } catch {
    return MISSING;
  }
  if (stats.isDirectory()) return { kind: "directory", path: real };
  // Sockets, FIFOs and devices are not files to send.
  return stats.isFile() ? { kind: "file", path: real, stats } : MISSING;
}

/** Roots are fixed by the configuration; their real paths are remembered once found. */
const realRoots = new Map<string, string>();

async function realRootOf(root: string): Promise<string | null> {
  const known = realRoots.get(root);
  if (known !== undefined) return known;
  const real = await realOrNull(root);
  if (real !== null) realRoots.set(root, real);
  return real;
}

async function realOrNull(path: string): Promise<string | null> {
  try {
    return await realpath(path);
  } catch {
    return null;
  }
}
