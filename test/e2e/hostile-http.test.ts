/**
 * Hostile input, bytes in and bytes out (issue #7 items 1, 2 and 4): each row sends raw
 * request bytes on a fresh connection and checks the statuses that come back, in order,
 * and whether the server closed the connection after them.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { app, eventually, startServer, type RunningServer, daemonOnly } from "./harness.js";
import { rawTalk } from "./raw-client.js";

const H = "Host: a\r\n";
const post = (headers: string, body = ""): string =>
  `POST /echo HTTP/1.1\r\n${H}${headers}\r\n${body}`;
const chunked = (body: string): string => post("Transfer-Encoding: chunked\r\n", body);

/** [name, request bytes, statuses in order, connection left open] */
type Row = readonly [string, string, readonly number[], boolean];

const framing: Row[] = [
  [
    "Content-Length with Transfer-Encoding",
    post("Content-Length: 5\r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\n"),
    [400],
    false,
  ],
  [
    "duplicate Content-Length, same value",
    post("Content-Length: 5\r\nContent-Length: 5\r\n", "hello"),
    [400],
    false,
  ],
  [
    "duplicate Content-Length, other value",
    post("Content-Length: 5\r\nContent-Length: 6\r\n", "hello!"),
    [400],
    false,
  ],
  ["list-form Content-Length", post("Content-Length: 5, 5\r\n", "hello"), [400], false],
  ["signed Content-Length", post("Content-Length: +5\r\n", "hello"), [400], false],
  [
    "overflowing Content-Length",
    post("Content-Length: 99999999999999999999999\r\n", "hello"),
    [400],
    false,
  ],
  ["Transfer-Encoding not ending in chunked", post("Transfer-Encoding: gzip\r\n"), [400], false],
  [
    "unknown coding before chunked",
    post("Transfer-Encoding: gzip, chunked\r\n", "0\r\n\r\n"),
    [501],
    false,
  ],
  ["chunked twice", post("Transfer-Encoding: chunked, chunked\r\n", "0\r\n\r\n"), [400], false],
  [
    "two Transfer-Encoding fields",
    post("Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\n"),
    [400],
    false,
  ],
  [
    "unknown coding then chunked on two lines: 501 as on one (Apache merges them)",
    post("Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\n"),
    [501],
    false,
  ],
  [
    "empty list element in Transfer-Encoding",
    post("Transfer-Encoding: ,chunked\r\n", "0\r\n\r\n"),
    [400],
    false,
  ],
  [
    "vertical tab before chunked",
    post("Transfer-Encoding: \x0bchunked\r\n", "0\r\n\r\n"),
    [400],
    false,
  ],
  [
    "Transfer-Encoding on HTTP/1.0",
    "POST /echo HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    [400],
    false,
  ],
  ["chunk size 0x5", chunked("0x5\r\nhello\r\n0\r\n\r\n"), [400], false],
  ["chunk size +5", chunked("+5\r\nhello\r\n0\r\n\r\n"), [400], false],
  ["chunk size overflow", chunked("fffffffffffffffffff\r\nhello\r\n0\r\n\r\n"), [400], false],
  ["bare CR in a chunk extension", chunked("5;a\rb\r\nhello\r\n0\r\n\r\n"), [400], false],
  [
    "control character in a chunk extension",
    chunked('5;"\x01\r\nhello\r\n0\r\n\r\n'),
    [400],
    false,
  ],
  ["chunk data not followed by CRLF", chunked("5\r\nhelloXX0\r\n\r\n"), [400], false],
  ["chunk line ended by CR alone", chunked("5\rXhello\r\n0\r\n\r\n"), [400], false],
  ["bare LF line ends", "GET / HTTP/1.1\nHost: a\n\n", [400], false],
  ["one bare LF", "GET / HTTP/1.1\r\nHost: a\nX: y\r\n\r\n", [400], false],
  ["bare CR", "GET / HTTP/1.1\r\nHost: a\rX: y\r\n\r\n", [400], false],
  ["head ended by CRLF CR X", "GET / HTTP/1.1\r\nHost: a\r\n\rX", [400], false],
  ["obs-fold", "GET / HTTP/1.1\r\nHost: a\r\nX: y\r\n z\r\n\r\n", [400], false],
  ["NUL in a field value", "GET / HTTP/1.1\r\nHost: a\r\nX: y\x00z\r\n\r\n", [400], false],
  [
    "control character in a field value",
    "GET / HTTP/1.1\r\nHost: a\r\nX: y\x01z\r\n\r\n",
    [400],
    false,
  ],
  ["DEL in a field value", "GET / HTTP/1.1\r\nHost: a\r\nX: y\x7fz\r\n\r\n", [400], false],
  ["space before the colon", "GET / HTTP/1.1\r\nHost: a\r\nX : y\r\n\r\n", [400], false],
  ["empty field name", "GET / HTTP/1.1\r\nHost: a\r\n: y\r\n\r\n", [400], false],
  ["HTTP/1.1 without Host", "GET / HTTP/1.1\r\n\r\n", [400], false],
  ["HTTP/1.0 without Host is fine", "GET / HTTP/1.0\r\n\r\n", [200], false],
  ["two Host fields", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", [400], false],
  ["Host with a slash", "GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", [400], false],
  [
    "two Content-Type fields",
    "GET / HTTP/1.1\r\nHost: a\r\nContent-Type: a/b\r\nContent-Type: c/d\r\n\r\n",
    [400],
    false,
  ],
  [
    "request target over 8190 bytes",
    `GET /${"a".repeat(10_000)} HTTP/1.1\r\n${H}\r\n`,
    [414],
    false,
  ],
  [
    "request target over the head limit",
    `GET /${"a".repeat(100_000)} HTTP/1.1\r\n${H}\r\n`,
    [414],
    false,
  ],
  [
    "header section over 64 KiB",
    `GET / HTTP/1.1\r\n${H}${`X-A: ${"b".repeat(1000)}\r\n`.repeat(80)}\r\n`,
    [431],
    false,
  ],
  ["HTTP/2.0 request line", `GET / HTTP/2.0\r\n${H}\r\n`, [505], false],
  ["HTTP/1.2 request line", `GET / HTTP/1.2\r\n${H}\r\n`, [505], false],
  ["bad method token", `G@T / HTTP/1.1\r\n${H}\r\n`, [400], false],
  ["asterisk-form with GET", `GET * HTTP/1.1\r\n${H}\r\n`, [400], false],
  ["CONNECT", `CONNECT a:443 HTTP/1.1\r\n${H}\r\n`, [405], false],
  [
    "nothing parsed after a refusal",
    `GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\nGET / HTTP/1.1\r\n${H}\r\n`,
    [400],
    false,
  ],
  ["valid chunked body", chunked("5;a=b\r\nhello\r\n0\r\n\r\n"), [200], true],
];

const nodePitfalls: Row[] = [
  [
    "bytes after Connection: close",
    `GET / HTTP/1.1\r\n${H}Connection: close\r\n\r\nJUNK\r\n\r\n`,
    [200],
    false,
  ],
  ["bytes after an HTTP/1.0 request", "GET / HTTP/1.0\r\n\r\nJUNK\r\n\r\n", [200], false],
  [
    "a request after an HTTP/1.0 request",
    `GET / HTTP/1.0\r\n\r\nGET / HTTP/1.1\r\n${H}\r\n`,
    [200],
    false,
  ],
  ["junk after a pipelined request", `GET / HTTP/1.1\r\n${H}\r\nJUNK\r\n\r\n`, [200, 400], false],
  [
    "junk after two pipelined requests",
    `GET / HTTP/1.1\r\n${H}\r\nGET / HTTP/1.1\r\n${H}\r\nJUNK\r\n\r\n`,
    [200, 200, 400],
    false,
  ],
];

const responses: Row[] = [
  ["CR LF in an app header value", `GET /crlf HTTP/1.1\r\n${H}\r\n`, [500], true],
  ["NUL in an app header value", `GET /nul HTTP/1.1\r\n${H}\r\n`, [500], true],
  ["space in an app header name", `GET /bad-name HTTP/1.1\r\n${H}\r\n`, [500], true],
  ["a status that is not latin-1", `GET /status HTTP/1.1\r\n${H}\r\n`, [500], true],
  ["fewer bytes than Content-Length", `GET /short HTTP/1.1\r\n${H}\r\n`, [200], false],
  // The declared bytes go out (mod_wsgi's rule), then the connection closes so the
  // client can tell the app misbehaved; the pipelined request is not answered (issue #7).
  [
    "more bytes than Content-Length",
    `GET /long HTTP/1.1\r\n${H}\r\nGET / HTTP/1.1\r\n${H}\r\n`,
    [200],
    false,
  ],
  ["exception after the head", `GET /error-after HTTP/1.1\r\n${H}\r\n`, [200], false],
  ["HEAD", `HEAD / HTTP/1.1\r\n${H}\r\nGET / HTTP/1.1\r\n${H}\r\n`, [200, 200], true],
  ["204 with a body", `GET /204 HTTP/1.1\r\n${H}\r\nGET / HTTP/1.1\r\n${H}\r\n`, [204, 200], true],
  ["304 with a body", `GET /304 HTTP/1.1\r\n${H}\r\nGET / HTTP/1.1\r\n${H}\r\n`, [304, 200], true],
];

function statuses(text: string): number[] {
  return [...text.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((match) => Number(match[1]));
}

describe("hostile requests and responses, raw", () => {
  let server: RunningServer;
  before(async () => {
    server = await startServer([
      app("hostile_responses.wsgi"),
      "--chunked-request",
      "--threads",
      "8",
    ]);
  });
  after(async () => {
    await server.stop();
  });

  for (const [group, rows] of [
    ["framing", framing],
    ["node pitfalls", nodePitfalls],
    ["responses", responses],
  ] as const) {
    test(group, async () => {
      const results = await Promise.all(rows.map(([, bytes]) => rawTalk(server.port, bytes)));
      const problems: string[] = [];
      rows.forEach(([name, , expected, open], index) => {
        const result = results[index];
        if (!result) return;
        const got = statuses(result.text);
        if (got.join() !== expected.join() || result.closed === open) {
          problems.push(
            `${name}: expected ${expected.join()} ${open ? "open" : "closed"}, got ${got.join()} ${result.closed ? "closed" : "open"}: ${JSON.stringify(result.text.slice(0, 200))}`,
          );
        }
        if (!open && expected.some((status) => status >= 400)) {
          if (!/Connection: close/i.test(result.text))
            problems.push(`${name}: no Connection: close`);
        }
      });
      assert.deepEqual(problems, []);
    });
  }

  test("bodies: cut at Content-Length, none for HEAD/204/304, no final chunk after a failure", async () => {
    const long = await rawTalk(server.port, `GET /long HTTP/1.1\r\n${H}\r\n`);
    assert.match(long.text, /\r\n\r\n12345$/);
    await eventually(server.errorLog, (log) => /5 bytes declared, 10 sent/.test(log));
    const short = await rawTalk(server.port, `GET /short HTTP/1.1\r\n${H}\r\n`);
    assert.match(short.text, /\r\n\r\n12345$/);
    await eventually(server.errorLog, (log) => /10 bytes declared, 5 sent/.test(log));
    const failed = await rawTalk(server.port, `GET /error-after HTTP/1.1\r\n${H}\r\n`);
    assert.match(failed.text, /Transfer-Encoding: chunked/);
    assert.match(failed.text, /first\n\r\n$/);
    const head = await rawTalk(server.port, `HEAD / HTTP/1.1\r\n${H}Connection: close\r\n\r\n`);
    assert.match(head.text, /\r\n\r\n$/);
    for (const status of ["204", "304"]) {
      const res = await rawTalk(
        server.port,
        `GET /${status} HTTP/1.1\r\n${H}Connection: close\r\n\r\n`,
      );
      assert.match(res.text, /\r\n\r\n$/, status);
      assert.doesNotMatch(res.text, /body/, status);
    }
  });

  test("absolute-form targets and fragments reach the app as a path, with the right Host", async () => {
    const absolute = await rawTalk(
      server.port,
      "GET http://other.example:81/environ?q=1#frag HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
    );
    const environ = JSON.parse(
      absolute.text.slice(absolute.text.indexOf("\r\n\r\n") + 4),
    ) as Record<string, string>;
    assert.equal(environ.PATH_INFO, "/environ");
    assert.equal(environ.QUERY_STRING, "q=1");
    assert.equal(environ.HTTP_HOST, "other.example:81");
    assert.equal(environ.SERVER_NAME, "other.example");
    const fragment = await rawTalk(
      server.port,
      "GET /environ#/secret HTTP/1.1\r\nHost: a\r\nX_Under: 1\r\nConnection: close\r\n\r\n",
    );
    const seen = JSON.parse(fragment.text.slice(fragment.text.indexOf("\r\n\r\n") + 4)) as Record<
      string,
      string
    >;
    assert.equal(seen.PATH_INFO, "/environ");
    assert.equal(seen.HTTP_X_UNDER, undefined);
  });

  test(
    "a daemon killed mid-response ends a chunked response without its final chunk",
    daemonOnly(
      "in embedded mode a crash takes its worker's connections (embedded-hazards.test.ts)",
    ),
    async () => {
      const died = await rawTalk(server.port, `GET /die-after HTTP/1.1\r\n${H}\r\n`);
      assert.equal(died.closed, true);
      assert.match(died.text, /^HTTP\/1\.1 200 /);
      assert.doesNotMatch(died.text, /\r\n0\r\n\r\n$/);
    },
  );
});
