import { test } from "node:test";
import assert from "node:assert/strict";
import { app, eventually, rawExchange, request, startServer, daemonOnly } from "./harness.js";

test("an exception before start_response is a 500 with the traceback in the error log", async (t) => {
  const server = await startServer([app("error_before.wsgi")]);
  t.after(() => server.stop());
  const reply = await request(`${server.url}some/path?q=1`);
  assert.equal(reply.status, 500);
  const log = await eventually(server.errorLog, (text) => /RuntimeError: error_before/.test(text));
  // Once, from the daemon, headed by the request it belongs to: no one-line copy from
  // the front end's pid (which sometimes came first).
  assert.equal(log.match(/RuntimeError: error_before\.wsgi fails on purpose/g)?.length, 1, log);
  assert.match(
    log,
    /Exception occurred processing WSGI application for GET \/some\/path\?q=1 from 127\.0\.0\.1:\d+ \(request \w+, thread \d+\)\.\n.*Traceback \(most recent call last\)/,
  );
});

test("an exception after the headers cuts the chunked response: no final chunk", async (t) => {
  const server = await startServer([app("error_after.wsgi")]);
  t.after(() => server.stop());
  const reply = (
    await rawExchange(server.port, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", 3000)
  ).toString();
  assert.match(reply, /^HTTP\/1\.1 200 OK\r\n/);
  assert.match(reply, /first chunk/);
  assert.doesNotMatch(reply, /\r\n0\r\n\r\n$/);
  await eventually(server.errorLog, (log) => /fails on purpose after the first chunk/.test(log));
});

test("an app returning the wrong type gets a 500 and a log line saying what it returned", async (t) => {
  const server = await startServer([app("wrong_type.wsgi")]);
  t.after(() => server.stop());
  assert.equal((await request(server.url)).status, 500);
  await eventually(server.errorLog, (log) => /\bstr\b/.test(log));
});

test("response headers with CR/LF never reach the client: 500 and a log line", async (t) => {
  const server = await startServer([app("bad_header.wsgi")]);
  t.after(() => server.stop());
  const reply = (
    await rawExchange(server.port, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 3000)
  ).toString();
  assert.match(reply, /^HTTP\/1\.1 500 /);
  assert.doesNotMatch(reply, /Injected/i);
  await eventually(server.errorLog, (log) => /X-Bad/.test(log));
});

test("an app that fails to import: the banner says so, the log has the traceback, requests get 500", async (t) => {
  const server = await startServer([app("import_error.wsgi")]);
  t.after(() => server.stop());
  assert.match(server.banner(), /^Application\s*: .*FAILED/m);
  // The daemon's stderr and its HELLO travel on different pipes: wait for the traceback.
  await eventually(server.errorLog, (log) =>
    /ImportError: import_error\.wsgi cannot be imported, on purpose/.test(log),
  );
  assert.equal((await request(server.url)).status, 500);
});

test(
  "a daemon killed mid-request: 502 for that request, the next one is served",
  daemonOnly("in embedded mode a crash takes its worker's connections (embedded-hazards.test.ts)"),
  async (t) => {
    const server = await startServer([app("crash.wsgi")]);
    t.after(() => server.stop());
    assert.equal((await request(`${server.url}crash`)).status, 502);
    const after = await request(`${server.url}ok`);
    assert.equal(after.status, 200);
  },
);
