import assert from "node:assert/strict";
import { test } from "node:test";
import { firstLineVerdict } from "../../../src/http/version-guard.js";

test("firstLineVerdict: a request line without an HTTP version is HTTP/0.9", () => {
  assert.equal(firstLineVerdict("GET /path\r\n"), "versionless");
  assert.equal(firstLineVerdict("GET /path\n"), "versionless");
  assert.equal(firstLineVerdict("GET /path"), "wait");
  assert.equal(firstLineVerdict("GET / HTTP/1.1\r\nHost: a\r\n\r\n"), "ok");
  assert.equal(firstLineVerdict("GET / HTTP/1.0\r\n"), "ok");
  assert.equal(firstLineVerdict("JUNK\r\n"), "ok");
  assert.equal(firstLineVerdict("/" + "a".repeat(20_000)), "ok");
});
