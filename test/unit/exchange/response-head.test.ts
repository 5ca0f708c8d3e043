import { test } from "node:test";
import assert from "node:assert/strict";
import { BadResponseHead, checkResponseHead } from "../../../src/exchange/response-head.js";

test("a valid head is flattened for writeHead, duplicates kept", () => {
  const head = checkResponseHead({
    status: "200 OK",
    headers: [
      ["Set-Cookie", "a=1"],
      ["Set-Cookie", "b=2"],
      ["Content-Length", "12"],
    ],
  });
  assert.equal(head.statusCode, 200);
  assert.equal(head.reason, "OK");
  assert.deepEqual(head.headers, [
    "Set-Cookie",
    "a=1",
    "Set-Cookie",
    "b=2",
    "Content-Length",
    "12",
  ]);
  assert.equal(head.contentLength, 12);
});

const bad: [string, { status: string; headers: [string, string][] }][] = [
  ["CR LF in a value", { status: "200 OK", headers: [["X", "a\r\nSet-Cookie: evil=1"]] }],
  ["bare LF in a value", { status: "200 OK", headers: [["X", "a\nb"]] }],
  ["NUL in a value", { status: "200 OK", headers: [["X", "a\0b"]] }],
  ["space in a name", { status: "200 OK", headers: [["Bad Name", "x"]] }],
  ["colon in a name", { status: "200 OK", headers: [["X:Y", "x"]] }],
  ["empty name", { status: "200 OK", headers: [["", "x"]] }],
  ["non-latin-1 value", { status: "200 OK", headers: [["X", "\u20ac"]] }],
  ["status without code", { status: "OK", headers: [] }],
  ["status with CR LF", { status: "200 OK\r\nX: y", headers: [] }],
  ["non-latin-1 status", { status: "200 \u20ac", headers: [] }],
  ["1xx status", { status: "100 Continue", headers: [] }],
  ["bad Content-Length", { status: "200 OK", headers: [["Content-Length", "12, 13"]] }],
  [
    "conflicting Content-Length",
    {
      status: "200 OK",
      headers: [
        ["Content-Length", "1"],
        ["content-length", "2"],
      ],
    },
  ],
];

for (const [name, head] of bad) {
  test(`rejected: ${name}`, () => {
    assert.throws(() => checkResponseHead(head), BadResponseHead);
  });
}

test("a header line longer than --header-buffer-size is refused", () => {
  const head = { status: "200 OK", headers: [["X-Long", "v".repeat(100)] as [string, string]] };
  assert.doesNotThrow(() => checkResponseHead(head, 108));
  assert.throws(() => checkResponseHead(head, 107), BadResponseHead);
});
