/**
 * Where things are. Compiled files live in dist/bench/lib/, so the repository root is
 * three levels up from here; the apps stay in the source tree. The peers' venv is
 * outside the tree (install-peers.sh), so that the linters never walk into it.
 */
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));
export const BENCH_DIR = join(REPO_ROOT, "bench");
export const APPS_DIR = join(BENCH_DIR, "apps");
export const VENV = resolve(
  process.env.BENCH_VENV ?? join(homedir(), ".cache", "wsgi-express-bench", "venv"),
);
export const VENV_BIN = join(VENV, "bin");
export const RESULTS_DIR = join(BENCH_DIR, "results");
export const WSGI_EXPRESS_BIN = join(REPO_ROOT, "bin", "wsgi-express.js");
export const NODE_HELLO = join(REPO_ROOT, "dist", "bench", "node-hello.js");
