import assert from "node:assert/strict";
import { mkdtempSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { makeDirectories } from "../../src/make-directories.js";

const scratch = (): string => mkdtempSync(join(tmpdir(), "wsgi-express-mkdir-"));

test("makes a directory and its missing parents, with the mode given", () => {
  const root = scratch();
  const path = join(root, "a", "b", "c");
  makeDirectories(path, 0o700);
  assert.ok(statSync(path).isDirectory());
  assert.equal(statSync(join(root, "a")).mode & 0o077, 0, "parents made take the mode too");
});

test("a directory that exists already is fine", () => {
  const root = scratch();
  makeDirectories(root);
  makeDirectories(join(root, "x"));
  makeDirectories(join(root, "x"));
  assert.ok(statSync(join(root, "x")).isDirectory());
});

test("a file in the way is an error, where it is or above", () => {
  const root = scratch();
  const file = join(root, "file");
  writeFileSync(file, "");
  assert.throws(
    () => {
      makeDirectories(file);
    },
    { code: "ENOTDIR" },
  );
  assert.throws(
    () => {
      makeDirectories(join(file, "below"));
    },
    { code: "ENOTDIR" },
  );
});

test("a parent that refuses the child with ENOENT is an error, not a hang (/proc)", () => {
  // node's recursive mkdir retries this for ever (asynchronously) or claims success.
  assert.ok(statSync("/proc/self").isDirectory(), "a Linux /proc is expected here");
  assert.throws(
    () => {
      makeDirectories("/proc/wsgi-express-test/below");
    },
    { code: "ENOENT" },
  );
  assert.throws(
    () => {
      makeDirectories("/proc/wsgi-express-test");
    },
    { code: "ENOENT" },
  );
});
