import { test } from "node:test";
import assert from "node:assert/strict";
import { PREFACE, prefaceVerdict } from "../../../src/http/h2c.js";

test("prefaceVerdict: the whole preface is h2c, a prefix of it waits, anything else is HTTP/1.x", () => {
  assert.equal(prefaceVerdict(PREFACE), "h2c");
  // The preface followed by the client's SETTINGS in the same read.
  assert.equal(prefaceVerdict(Buffer.concat([PREFACE, Buffer.alloc(9)])), "h2c");
  for (const length of [1, 3, 8, 23]) {
    assert.equal(prefaceVerdict(PREFACE.subarray(0, length)), "wait", String(length));
  }
  assert.equal(prefaceVerdict(Buffer.from("GET / HTTP/1.1\r\n")), "http1");
  // PRI with another version, or a method that starts like it.
  assert.equal(prefaceVerdict(Buffer.from("PRI * HTTP/1.1\r\n\r\n")), "http1");
  assert.equal(prefaceVerdict(Buffer.from("PRIX")), "http1");
  assert.equal(prefaceVerdict(Buffer.from("PRI * HTTP/2.0\r\n\r\nXX\r\n\r\n")), "http1");
});
