#!/usr/bin/env node
// npm's "prepare": compile TypeScript to dist/ unless dist/ is already newer than every
// source. `npx wsgi-express` run inside this repository links the repository into npx's
// cache and runs "prepare" again (libnpmexec, "self-execution of a local bin"); a full
// tsc there took 20-50 s of silence before the server started. A build that is up to
// date is skipped, and one that is needed says so first.
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const stamp = join(root, "dist", "src", "cli", "main.js");
// Not package.json nor package-lock.json: npm install rewrites them, and tsc reads neither.
const inputs = ["src", "test", "bench", "tsconfig.json"];

function newestMtime(path) {
  let stat;
  try {
    stat = statSync(path);
  } catch {
    return 0;
  }
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const name of readdirSync(path)) {
    newest = Math.max(newest, newestMtime(join(path, name)));
  }
  return newest;
}

function builtAt() {
  try {
    return statSync(stamp).mtimeMs;
  } catch {
    return -1;
  }
}

const built = builtAt();
const newest = Math.max(...inputs.map((input) => newestMtime(join(root, input))));
if (built >= newest && process.env.WSGI_EXPRESS_FORCE_BUILD === undefined) {
  process.exit(0);
}
process.stderr.write(
  `wsgi-express: compiling TypeScript to dist/ (${built < 0 ? "first build" : "sources changed"}; 5 to 60 s)...\n`,
);
const tsc = spawnSync(process.execPath, [join(root, "node_modules", "typescript", "bin", "tsc")], {
  cwd: root,
  stdio: "inherit",
});
process.exit(tsc.status ?? 1);
