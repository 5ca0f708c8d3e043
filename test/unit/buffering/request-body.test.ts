import { test } from "node:test";
import assert from "node:assert/strict";
import { Readable } from "node:stream";
import type { IncomingMessage } from "node:http";
import { PREBUFFER_LIMIT, readBody, shouldPrebuffer } from "../../../src/buffering/request-body.js";

/** Enough of a request for readBody: a readable body, its headers and `complete`. */
function request(chunks: Buffer[], headers: Record<string, string> = {}) {
  const body = Readable.from(chunks, { objectMode: false });
  return Object.assign(body, { headers, complete: true }) as unknown as IncomingMessage;
}

test("a body read in one chunk is that chunk; several are joined", async () => {
  const one = Buffer.from("whole body");
  assert.equal(await readBody(request([one])), one);
  const joined = await readBody(request([Buffer.from("ab"), Buffer.from("cd")]));
  assert.equal(joined.toString(), "abcd");
  assert.equal((await readBody(request([]))).length, 0);
});

test("readBody rejects when the client goes away before the end", async () => {
  const req = Object.assign(new Readable({ read: () => undefined }), {
    headers: {},
    complete: false,
  }) as unknown as IncomingMessage;
  const body = readBody(req);
  req.push(Buffer.from("part"));
  req.destroy();
  await assert.rejects(body, /went away/);
});

test("only small declared bodies are read ahead of dispatch", () => {
  const len = (value: number) => request([], { "content-length": String(value) });
  assert.equal(shouldPrebuffer(len(PREBUFFER_LIMIT), false), true);
  assert.equal(shouldPrebuffer(len(PREBUFFER_LIMIT + 1), false), false);
  assert.equal(shouldPrebuffer(len(0), false), false);
  assert.equal(shouldPrebuffer(len(10), true), false, "100-continue waits for the app");
  const chunked = request([], { "transfer-encoding": "chunked" });
  assert.equal(shouldPrebuffer(chunked, false), false);
});
