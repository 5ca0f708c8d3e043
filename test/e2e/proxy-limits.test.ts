/**
 * The reverse proxy's limits: at most --max-clients connections to one back end (the
 * rest wait for one), and a client whose request body stalls gets 408 and a closed
 * connection, as for the application.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { app, eventually, request, startServer } from "./harness.js";
import { startBackend } from "./proxy-backends.js";
import { rawTalk } from "./raw-client.js";

const HANG_MS = 60_000;

test("--max-clients 2: two requests at a time reach the back end, the others wait and are served", async (t) => {
  const backend = await startBackend();
  t.after(() => backend.close());
  const server = await startServer([
    app("hello.wsgi"),
    ...["--proxy-mount-point", "/api", `http://127.0.0.1:${backend.port}/`],
    // --max-clients is raised to processes x threads at least: 2 here.
    ...["--processes", "1", "--threads", "2", "--max-clients", "2", "--proxy-timeout", "120"],
  ]);
  t.after(() => server.stop());
  const answers = Array.from({ length: 5 }, () => request(`${server.url}api/hold`));
  // Each request let go lets exactly one more through to the back end.
  for (let released = 0; released < 5; released++) {
    await eventually(backend.held, (held) => held.now >= 1, HANG_MS);
    backend.releaseOne();
  }
  const statuses = (await Promise.all(answers)).map((answer) => answer.status);
  assert.deepEqual(statuses, [200, 200, 200, 200, 200]);
  assert.equal(backend.held().most <= 2, true, `most held at once: ${backend.held().most}`);
  assert.equal(backend.held().most, 2);
});

test("a request body that stalls on its way to the back end: 408 and the connection closed", async (t) => {
  const backend = await startBackend();
  t.after(() => backend.close());
  const server = await startServer([
    app("hello.wsgi"),
    ...["--proxy-mount-point", "/api", `http://127.0.0.1:${backend.port}/`],
    ...["--body-timeout", "1", "--body-min-rate", "0", "--log-level", "info"],
  ]);
  t.after(() => server.stop());
  const head = "POST /api/upload HTTP/1.1\r\nHost: a\r\nContent-Length: 1000\r\n\r\n";
  // Ten bytes of the thousand promised, then nothing: the quiet period only bounds a hang.
  const stalled = await rawTalk(server.port, head + "0123456789", { quietMs: 30_000 });
  assert.match(stalled.text, /^HTTP\/1\.1 408 /);
  assert.equal(stalled.closed, true);
  // The back end never saw a whole request: it was cut off with the client's.
  assert.equal(backend.seen.filter((seen) => seen.url === "/upload").length, 0);
});
