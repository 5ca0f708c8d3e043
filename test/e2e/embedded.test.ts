/**
 * Issue #25, embedded mode through the real CLI: the app runs inside the front end's
 * worker processes (the addon is built on first use into the cache, if not there yet).
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { request as httpRequest } from "node:http";
import { test } from "node:test";
import { app, eventually, request, startServer, type Response } from "./harness.js";

const EMBEDDED = ["--embedded-mode", "--log-level", "info"];

test("hello: the banner says embedded, and the app answers", async (t) => {
  const server = await startServer([app("hello.wsgi"), ...EMBEDDED]);
  t.after(() => server.stop());
  assert.match(server.banner(), /^Operating Mode\s*: embedded$/m);
  const response = await request(server.url);
  assert.equal(response.status, 200);
  assert.equal(response.body.toString(), "Hello World!");
  // SIGHUP replaces the worker (embedded-lifecycle.test.ts) and the server serves on.
  server.child.kill("SIGHUP");
  await eventually(server.errorLog, (log) =>
    /embedded worker \d+ stopped \(restart_signal;/.test(log),
  );
  assert.equal((await request(server.url)).status, 200);
});

test("PEP 3333 environ basics, and mod_wsgi.process_group is ''", async (t) => {
  const server = await startServer([app("environ.wsgi"), ...EMBEDDED, "--threads", "2"]);
  t.after(() => server.stop());
  const response = await request(`${server.url}some/path?a=1&b=2`);
  assert.equal(response.status, 200);
  const environ = JSON.parse(response.body.toString()) as Record<string, unknown>;
  assert.equal(environ["mod_wsgi.process_group"], "");
  assert.deepEqual(environ["wsgi.version"], [1, 0]);
  assert.equal(environ["REQUEST_METHOD"], "GET");
  assert.equal(environ["SCRIPT_NAME"], "");
  assert.equal(environ["PATH_INFO"], "/some/path");
  assert.equal(environ["QUERY_STRING"], "a=1&b=2");
  assert.equal(environ["wsgi.url_scheme"], "http");
  assert.equal(environ["wsgi.multithread"], true);
  assert.equal(environ["wsgi.input_terminated"], true);
  assert.equal(typeof environ["wsgi.input"], "string");
  assert.match(String(environ["wsgi.file_wrapper"]), /FileWrapper/);
});

/** POSTs `body` chunked (no Content-Length), in 64 KiB writes. */
function postChunked(url: string, body: Buffer): Promise<Response> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: "POST", agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => {
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) });
      });
    });
    req.on("error", reject);
    for (let at = 0; at < body.length; at += 65536) req.write(body.subarray(at, at + 65536));
    req.end();
  });
}

test("request bodies into Python: with a Content-Length and chunked", async (t) => {
  const server = await startServer([app("echo.wsgi"), ...EMBEDDED, "--chunked-request"]);
  t.after(() => server.stop());
  const small = await request(server.url, { method: "POST", body: "hello body" });
  assert.equal(small.body.toString(), "hello body");
  // Larger than the slot's input window and a spool's memory share: back-pressure.
  const big = randomBytes(3 * 1024 * 1024 + 17);
  const sized = await request(server.url, { method: "POST", body: big });
  assert.equal(sized.status, 200);
  assert.ok(sized.body.equals(big));
  const chunked = await postChunked(server.url, big);
  assert.equal(chunked.status, 200);
  assert.ok(chunked.body.equals(big));
});

test("a streamed response, chunk by chunk", async (t) => {
  const server = await startServer([app("streaming.wsgi"), ...EMBEDDED]);
  t.after(() => server.stop());
  const response = await request(`${server.url}?chunks=40&size=65536&seed=3`);
  assert.equal(response.status, 200);
  assert.equal(response.headers["transfer-encoding"], "chunked");
  assert.equal(response.body.length, 40 * 65536);
  for (let i = 0; i < 40; i++) assert.equal(response.body[i * 65536], (3 + i) % 256);
});

test("SIGTERM drains: a request in flight finishes, then the server exits 0", async (t) => {
  const server = await startServer([app("announce_sleep.wsgi"), ...EMBEDDED]);
  t.after(() => server.stop("SIGKILL"));
  const inFlight = request(`${server.url}?seconds=1&id=drain`);
  // Python's stderr goes to the error log: the request is on a Python thread now.
  await eventually(server.errorLog, (log) => log.includes("sleeping drain"));
  const exited = server.stop();
  const response = await inFlight;
  assert.equal(response.status, 200);
  assert.equal(response.body.toString(), "woke up drain");
  assert.equal(await exited, 0);
});
