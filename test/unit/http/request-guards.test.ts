import assert from "node:assert/strict";
import { test } from "node:test";
import {
  absoluteAuthority,
  checkRequest,
  clientErrorStatus,
  withHost,
} from "../../../src/http/request-guards.js";

const req = (
  rawHeaders: string[],
  over: Partial<{ method: string; url: string; httpVersion: string }> = {},
) => ({
  method: "GET",
  url: "/",
  httpVersion: "1.1",
  rawHeaders,
  ...over,
});

test("Host: required on 1.1, once, well formed", () => {
  assert.equal(checkRequest(req(["Host", "a"])), null);
  assert.equal(checkRequest(req(["Host", "[::1]:8080"])), null);
  assert.equal(checkRequest(req([])), 400);
  assert.equal(checkRequest(req([], { httpVersion: "1.0" })), null);
  assert.equal(checkRequest(req(["Host", "a", "host", "a"])), 400);
  assert.equal(checkRequest(req(["Host", "a b"])), 400);
  // Names of another case and of the same length as those looked for.
  assert.equal(checkRequest(req(["HOST", "a", "hOsT", "b"])), 400);
  assert.equal(checkRequest(req(["Hast", "a"])), 400);
  assert.equal(checkRequest(req(["Host", "a@b"])), 400);
});

test("request line: version, target length (the asterisk-form is request-path.ts's)", () => {
  assert.equal(checkRequest(req(["Host", "a"], { httpVersion: "2.0" })), 505);
  assert.equal(checkRequest(req(["Host", "a"], { url: "/" + "x".repeat(8180) })), 414);
});

test("request line and header field limits: Apache's defaults, at the limit and one past", () => {
  const line = (length: number) => ({ url: "/" + "x".repeat(length - "GET  HTTP/1.1".length - 1) });
  assert.equal(checkRequest(req(["Host", "a"], line(8190))), null);
  assert.equal(checkRequest(req(["Host", "a"], line(8191))), 414);
  const fields = (count: number) => [
    "Host",
    "a",
    ...Array.from({ length: count - 1 }, (_, i) => [`X-${i}`, "v"]).flat(),
  ];
  assert.equal(checkRequest(req(fields(100))), null);
  assert.equal(checkRequest(req(fields(101))), 431);
  const field = (length: number) => ["Host", "a", "X", "v".repeat(length - "X: ".length)];
  assert.equal(checkRequest(req(field(8190))), null);
  assert.equal(checkRequest(req(field(8191))), 431);
  const none = { limitRequestLine: 0, limitRequestFields: 0, limitRequestFieldSize: 0 };
  assert.equal(checkRequest(req(fields(500)), none), null);
  assert.equal(checkRequest(req(field(20_000), line(20_000)), none), null);
  const small = { limitRequestLine: 20, limitRequestFields: 2, limitRequestFieldSize: 10 };
  assert.equal(checkRequest(req(["Host", "a"], line(20)), small), null);
  assert.equal(checkRequest(req(["Host", "a"], line(21)), small), 414);
  assert.equal(checkRequest(req(field(10)), small), null);
  assert.equal(checkRequest(req(field(11)), small), 431);
  assert.equal(checkRequest(req(fields(3)), small), 431);
});

test("Transfer-Encoding: only chunked, once, on 1.1", () => {
  const te = (value: string, httpVersion = "1.1") =>
    checkRequest(req(["Host", "a", "Transfer-Encoding", value], { httpVersion }));
  assert.equal(te("chunked"), null);
  assert.equal(te("Chunked"), null);
  assert.equal(te(" chunked\t"), null);
  assert.equal(te("gzip, chunked"), 501);
  assert.equal(te("chunked, gzip"), 400);
  assert.equal(te(",chunked"), 400);
  assert.equal(te("chunked", "1.0"), 400);
  // Two fields are one list, as Apache merges them.
  const two = (a: string, b: string) =>
    checkRequest(req(["Host", "a", "Transfer-Encoding", a, "Transfer-Encoding", b]));
  assert.equal(two("gzip", "chunked"), 501);
  assert.equal(two("chunked", "chunked"), 400);
  assert.equal(two("chunked", "gzip"), 400);
  assert.equal(checkRequest(req(["Host", "a", "Content-Type", "a/b", "content-type", "c/d"])), 400);
});

test("parse errors: statuses, and none for bytes after a closing request", () => {
  assert.equal(clientErrorStatus("HPE_CLOSED_CONNECTION"), null);
  assert.equal(clientErrorStatus("ECONNRESET"), null);
  assert.equal(clientErrorStatus("HPE_INVALID_METHOD"), 400);
  const packet = (text: string) => Buffer.from(text, "latin1");
  assert.equal(clientErrorStatus("HPE_INVALID_METHOD", packet("BREW / HTTP/1.1\r\n")), 501);
  assert.equal(clientErrorStatus("HPE_INVALID_METHOD", packet("get / HTTP/1.1\r\n")), 501);
  assert.equal(clientErrorStatus("HPE_INVALID_METHOD", packet("G@T / HTTP/1.1\r\n")), 400);
  assert.equal(clientErrorStatus("HPE_INVALID_VERSION", packet("GET / HTTP/1.2\r\n")), 505);
  assert.equal(clientErrorStatus("HPE_INVALID_VERSION", packet("GET / HTTP/x\r\n")), 400);
  assert.equal(
    clientErrorStatus(
      "HPE_HEADER_OVERFLOW",
      Buffer.from("GET / HTTP/1.1\r\nX: " + "a".repeat(9000)),
    ),
    431,
  );
  assert.equal(
    clientErrorStatus("HPE_HEADER_OVERFLOW", Buffer.from("GET /" + "a".repeat(9000))),
    414,
  );
  // node reports the chunk that overflowed; a later one ends a line of the head.
  const tail = (line: string) => Buffer.from("a".repeat(5000) + line + "\r\nHost: x\r\n\r\n");
  assert.equal(clientErrorStatus("HPE_HEADER_OVERFLOW", tail(" HTTP/1.1")), 414);
  assert.equal(clientErrorStatus("HPE_HEADER_OVERFLOW", tail("")), 431);
  assert.equal(clientErrorStatus("HPE_HEADER_OVERFLOW", Buffer.from("a".repeat(9000))), 414);
  assert.equal(clientErrorStatus("ERR_HTTP_REQUEST_TIMEOUT"), 408);
});

test("absolute-form: the authority replaces Host", () => {
  assert.equal(absoluteAuthority("http://h:81/p?q"), "h:81");
  assert.equal(absoluteAuthority("/p"), null);
  assert.deepEqual(withHost(["Host", "a", "X", "1"], "h:81"), ["X", "1", "Host", "h:81"]);
});
