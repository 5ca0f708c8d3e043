import { test } from "node:test";
import assert from "node:assert/strict";
import type { IncomingHttpHeaders } from "node:http";
import { hostFromAuthority, withoutConnectionFields } from "../../../src/http/h2-compat.js";

test("pseudo-headers leave rawHeaders; :authority becomes Host when there is none", () => {
  const raw = [
    ":method",
    "GET",
    ":path",
    "/",
    ":authority",
    "example.com:8443",
    ":scheme",
    "https",
    "accept",
    "*/*",
  ];
  const headers: IncomingHttpHeaders = {};
  assert.equal(hostFromAuthority(raw, headers), false);
  assert.deepEqual(raw, ["host", "example.com:8443", "accept", "*/*"]);
  assert.equal(headers.host, "example.com:8443");
});

test("a Host beside :authority is kept; one naming another authority is flagged", () => {
  const same = [":authority", "Example.com", "host", "example.com"];
  assert.equal(hostFromAuthority(same, { host: "example.com" }), false);
  assert.deepEqual(same, ["host", "example.com"]);
  const other = [":authority", "example.com", "host", "elsewhere"];
  assert.equal(hostFromAuthority(other, { host: "elsewhere" }), true);
  // No :authority at all: nothing to add, nothing to compare.
  const none = [":method", "GET", "host", "x"];
  assert.equal(hostFromAuthority(none, { host: "x" }), false);
  assert.deepEqual(none, ["host", "x"]);
});

test("connection-specific response fields are dropped (RFC 9113 §8.2.2), in both forms", () => {
  assert.deepEqual(
    withoutConnectionFields({
      "Content-Type": "text/plain",
      Connection: "close",
      "Keep-Alive": "timeout=5",
      "Transfer-Encoding": "chunked",
      Upgrade: "h2c",
      "Proxy-Connection": "keep-alive",
      "Set-Cookie": ["a=1", "b=2"],
    }),
    { "Content-Type": "text/plain", "Set-Cookie": ["a=1", "b=2"] },
  );
  assert.deepEqual(
    withoutConnectionFields(["Content-Length", "5", "connection", "close", "X-A", "1"]),
    ["Content-Length", "5", "X-A", "1"],
  );
});
