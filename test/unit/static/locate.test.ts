import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { locate } from "../../../src/static/locate.js";

function tree(): { base: string; root: string } {
  const base = mkdtempSync(join(tmpdir(), "wsgi-express-locate-"));
  const root = join(base, "root");
  mkdirSync(join(root, "dir with space"), { recursive: true });
  writeFileSync(join(root, "dir with space", "ü%#?.txt"), "x");
  writeFileSync(join(base, "secret"), "s");
  writeFileSync(join(base, "root-sibling"), "s");
  symlinkSync(join(base, "secret"), join(root, "out"));
  symlinkSync(base, join(root, "up"));
  symlinkSync(join(root, "dir with space"), join(root, "in"));
  return { base, root };
}

test("files and directories under the root are found by their real paths", async () => {
  const { root } = tree();
  const file = await locate(root, ["dir with space", "ü%#?.txt"]);
  assert.equal(file.kind, "file");
  assert.equal((file as { path: string }).path, join(root, "dir with space", "ü%#?.txt"));
  assert.equal((await locate(root, ["in", "ü%#?.txt"])).kind, "file");
  assert.equal((await locate(root, [])).kind, "directory");
  assert.equal((await locate(root, ["nothing"])).kind, "missing");
});

test("symlinks that lead out of the root are refused, also through a directory link", async () => {
  const { root } = tree();
  assert.equal((await locate(root, ["out"])).kind, "outside");
  assert.equal((await locate(root, ["up", "secret"])).kind, "outside");
  // A sibling whose name starts with the root's name is still outside.
  assert.equal((await locate(root, ["up", "root-sibling"])).kind, "outside");
});

test("a file alias is found only for its exact URL; a missing root finds nothing", async () => {
  const { base, root } = tree();
  assert.equal((await locate(join(base, "secret"), [])).kind, "file");
  assert.equal((await locate(join(base, "secret"), ["x"])).kind, "missing");
  assert.equal((await locate(join(root, "absent"), [])).kind, "missing");
});
