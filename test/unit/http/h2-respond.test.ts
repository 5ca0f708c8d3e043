import { test } from "node:test";
import assert from "node:assert/strict";
import { respondFields } from "../../../src/http/h2-respond.js";

test("a flat head becomes respond()'s object: names lower-cased, repeats gathered", () => {
  assert.deepEqual(
    respondFields(
      ["Content-Type", "text/plain", "Set-Cookie", "a=1", "set-cookie", "b=2", "X-N", 5],
      201,
    ),
    {
      "content-type": "text/plain",
      "set-cookie": ["a=1", "b=2"],
      "x-n": "5",
      ":status": 201,
    },
  );
  // A third repeat joins the array in order.
  assert.deepEqual(respondFields(["Vary", "a", "Vary", "b", "Vary", "c"], 200), {
    vary: ["a", "b", "c"],
    ":status": 200,
  });
});

test("connection-specific fields are dropped (RFC 9113 §8.2.2)", () => {
  assert.deepEqual(
    respondFields(
      ["Connection", "close", "Keep-Alive", "timeout=5", "Transfer-Encoding", "chunked"],
      200,
    ),
    { ":status": 200 },
  );
  assert.deepEqual(respondFields(["Upgrade", "h2c", "Proxy-Connection", "x", "A", "1"], 200), {
    a: "1",
    ":status": 200,
  });
});

test("what the compatibility layer must handle itself gives null", () => {
  // An odd list, a pseudo-header, a tuple list, a value that is neither text nor number.
  assert.equal(respondFields(["A"], 200), null);
  assert.equal(respondFields([":status", "200"], 200), null);
  assert.equal(respondFields([["A", "1"]], 200), null);
  assert.equal(respondFields(["A", ["1", "2"]], 200), null);
  assert.equal(respondFields(["A", undefined], 200), null);
});

test("invalid names and values are refused as node refuses them", () => {
  assert.throws(() => respondFields(["Bad Name", "x"], 200), { code: "ERR_INVALID_HTTP_TOKEN" });
  assert.throws(() => respondFields(["X-A", "a\r\nInjected: 1"], 200), {
    code: "ERR_INVALID_CHAR",
  });
});
