import { test } from "node:test";
import assert from "node:assert/strict";
import { app, startServer } from "./harness.js";
import { h2Request, h2Session } from "./h2-helpers.js";
import { END_STREAM, FRAME, streamFrames } from "./h2-frames.js";
import { httpsArgs, httpsPort, makeCertificates } from "./tls-helpers.js";

const certs = makeCertificates();

test("--http2: an app's response ends with its last DATA frame, no trailer frame after it", async (t) => {
  const server = await startServer([app("hello.wsgi"), ...httpsArgs(certs, "--http2")]);
  t.after(() => server.stop());
  const frames = await streamFrames(httpsPort(server), certs.ca, "/");
  // HEADERS, then the 12 bytes of "Hello World!" carrying END_STREAM (RFC 9113 §8.1):
  // not a DATA frame without it followed by an empty one (the compatibility API's
  // trailers).
  assert.deepEqual(
    frames.map((f) => [f.type, f.flags & END_STREAM, f.length]),
    [
      [FRAME.HEADERS, 0, frames[0]?.length],
      [FRAME.DATA, END_STREAM, 12],
    ],
  );
});

test("--http2: repeated and merged fields, HSTS and the status, as over HTTP/1.1", async (t) => {
  const server = await startServer([
    app("wire.wsgi"),
    ...httpsArgs(certs, "--http2", "--https-only", "--hsts-policy", "max-age=60"),
  ]);
  t.after(() => server.stop());
  const session = await h2Session(httpsPort(server), certs.ca);
  t.after(() => {
    session.destroy();
  });
  const response = await h2Request(session, "/dup-headers");
  assert.equal(response.status, 302);
  const h = response.headers;
  assert.deepEqual(h["set-cookie"], ["a=1", "b=2"]);
  assert.equal(h["x-multi"], "a, b");
  assert.equal(h["cache-control"], "no-cache, no-store");
  assert.equal(h["www-authenticate"], "Basic realm=a, Bearer");
  assert.equal(h.location, "/two");
  assert.equal(h["content-type"], "text/plain; Charset=UTF-8");
  assert.equal(h["strict-transport-security"], "max-age=60");
  assert.match(String(h.date), /GMT$/);
  assert.equal(response.body.toString(), "dup");
  const head = await h2Request(session, "/", { method: "HEAD" });
  assert.equal(head.status, 200);
  assert.equal(head.body.length, 0);
});
