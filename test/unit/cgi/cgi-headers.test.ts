import { test } from "node:test";
import assert from "node:assert/strict";
import { CgiHeadParser, MAX_HEAD_BYTES, type HeadProgress } from "../../../src/cgi/cgi-headers.js";

function parse(...pieces: string[]): HeadProgress {
  const parser = new CgiHeadParser();
  let progress: HeadProgress = { kind: "more" };
  for (const piece of pieces) {
    progress = parser.feed(Buffer.from(piece, "latin1"));
    if (progress.kind !== "more") return progress;
  }
  return progress;
}

function head(progress: HeadProgress): Extract<HeadProgress, { kind: "head" }> {
  assert.equal(progress.kind, "head", JSON.stringify(progress));
  return progress;
}

test("a document response: headers in order, LF or CRLF, the body after the blank line", () => {
  const lf = head(parse("Content-Type: text/plain\nX-A: 1\n\nbody"));
  assert.equal(lf.head.status, 200);
  assert.deepEqual(lf.head.headers, [
    ["Content-Type", "text/plain"],
    ["X-A", "1"],
  ]);
  assert.equal(lf.rest.toString(), "body");
  // Split anywhere, even inside the CRLF of the blank line.
  const crlf = head(parse("Content-Type: text/html\r\nSet-Cookie: a=1\r", "\n\r", "\nrest"));
  assert.equal(crlf.head.headers.length, 2);
  assert.equal(crlf.rest.toString(), "rest");
});

test("Status sets the status and reason; hop-by-hop fields are dropped", () => {
  const result = head(
    parse("Status: 404 Gone Away\nConnection: close\nTransfer-Encoding: chunked\n\n"),
  );
  assert.equal(result.head.status, 404);
  assert.equal(result.head.reason, "Gone Away");
  assert.deepEqual(result.head.headers, []);
  assert.equal(head(parse("Status: 201\n\n")).head.reason, null);
});

test("Location: a path is a local redirect, an absolute URI a 302 unless Status says", () => {
  const local = head(parse("Location: /elsewhere?q=1\n\n"));
  assert.equal(local.head.localRedirect, "/elsewhere?q=1");
  const away = head(parse("Location: https://example.com/\n\n"));
  assert.equal(away.head.status, 302);
  assert.equal(away.head.localRedirect, null);
  const moved = head(parse("Status: 301 Moved\nLocation: /new\n\n"));
  assert.equal(moved.head.status, 301);
  assert.equal(moved.head.localRedirect, null);
});

test("malformed output is an error naming the line; an unfinished head asks for more", () => {
  const cases: [string[], RegExp][] = [
    [["hello world\n"], /malformed header from script: 'hello world'/],
    [["X-A: 1\njunk\n\n"], /malformed header from script: 'junk'/],
    [[": no name\n\n"], /malformed header/],
    [["Status: 99 Low\n\n"], /invalid Status header/],
    [["Status: abc\n\n"], /invalid Status header/],
    [["Bad Name: x\n\n"], /invalid header from script: 'Bad Name'/],
    [["X-A: 1\n", "x".repeat(MAX_HEAD_BYTES)], /longer than/],
  ];
  for (const [pieces, message] of cases) {
    const progress = parse(...pieces);
    assert.equal(progress.kind, "error", pieces.join(""));
    assert.match((progress as { message: string }).message, message);
  }
  assert.equal(parse("Content-Type: text/plain\n").kind, "more");
  assert.equal(parse("Content-Ty").kind, "more");
});
