import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT, tempDir } from "../../e2e/harness.js";

/** A copy of bin/ and scripts/ with a stub tsc that writes dist/src/cli/main.js. */
function checkout(): string {
  const dir = tempDir();
  cpSync(join(ROOT, "bin"), join(dir, "bin"), { recursive: true });
  cpSync(join(ROOT, "scripts"), join(dir, "scripts"), { recursive: true });
  writeFileSync(join(dir, "package.json"), '{"type":"module"}\n');
  mkdirSync(join(dir, "src"));
  writeFileSync(join(dir, "src", "a.ts"), "export {};\n");
  mkdirSync(join(dir, "node_modules", "typescript", "bin"), { recursive: true });
  writeFileSync(
    join(dir, "node_modules", "typescript", "bin", "tsc"),
    `const fs = require("node:fs");
fs.mkdirSync("dist/src/cli", { recursive: true });
fs.appendFileSync("tsc-runs", "x");
fs.writeFileSync("dist/src/cli/main.js", "export const main = async (a) => { console.log('main ' + a.join(' ')); return 0; };\\n");
`,
  );
  writeFileSync(join(dir, "node_modules", "typescript", "package.json"), "{}\n");
  return dir;
}

const run = (dir: string, script: string, args: string[] = []) =>
  spawnSync(process.execPath, [join(dir, script), ...args], { cwd: dir, encoding: "utf8" });

test("prepare builds once, says so, and skips tsc while dist/ is newer than the sources", () => {
  const dir = checkout();
  const first = run(dir, "scripts/prepare.js");
  assert.equal(first.status, 0, first.stderr);
  assert.match(first.stderr, /compiling TypeScript to dist\/ \(first build/);
  const second = run(dir, "scripts/prepare.js");
  assert.equal(second.status, 0);
  assert.equal(second.stderr, "");
  // An edited source is rebuilt.
  const later = new Date(Date.now() + 60_000);
  utimesSync(join(dir, "src", "a.ts"), later, later);
  const third = run(dir, "scripts/prepare.js");
  assert.match(third.stderr, /sources changed/);
  assert.equal(existsSync(join(dir, "tsc-runs")), true);
});

test("the bin builds a missing dist/ itself, saying what it is doing, then runs", () => {
  const dir = checkout();
  const result = run(dir, "bin/wsgi-express.js", ["--version"]);
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stderr, /dist\/ is missing, building it first/);
  assert.equal(result.stdout, "main --version\n");
});
