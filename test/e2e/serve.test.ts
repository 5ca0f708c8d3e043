import { test } from "node:test";
import assert from "node:assert/strict";
import { connect } from "node:net";
import { app, eventually, rawExchange, request, startServer } from "./harness.js";

test("serves the example app through 2 processes x 5 threads", async (t) => {
  const server = await startServer(["examples/hello.wsgi", "--processes", "2", "--threads", "5"]);
  t.after(() => server.stop());
  assert.match(server.banner(), /^Request Capacity\s*: 10 \(2 processes \* 5 threads\)$/m);
  assert.match(server.banner(), /^Server Root\s*: \//m);
  assert.match(server.banner(), /^Error Log File\s*: .*error_log \(warn\)$/m);
  assert.match(server.banner(), /^Python Version\s*: 3\.\d+/m);
  assert.match(server.banner(), /^Application\s*: .*hello\.wsgi \(loaded\)$/m);
  const response = await request(server.url);
  assert.equal(response.status, 200);
  assert.equal(response.body.toString(), "Hello World!");
  assert.equal(response.headers["content-length"], "12");
});

test("requests are spread over every daemon process", async (t) => {
  const server = await startServer([app("whoami.wsgi"), "--processes", "2", "--threads", "1"]);
  t.after(() => server.stop());
  const pids = new Set<number>();
  // Two at a time, each holding its thread for a while: with one thread per process,
  // both processes must take part.
  for (let round = 0; round < 3; round++) {
    const pair = await Promise.all([
      request(`${server.url}?sleep=0.2`),
      request(`${server.url}?sleep=0.2`),
    ]);
    for (const r of pair) pids.add((JSON.parse(r.body.toString()) as { pid: number }).pid);
  }
  assert.equal(pids.size, 2);
});

test("keep-alive and pipelining: three requests on one connection, answered in order", async (t) => {
  const server = await startServer([app("hello.wsgi")]);
  t.after(() => server.stop());
  const one = "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n";
  const last = "GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
  const reply = (await rawExchange(server.port, one + one + last)).toString("latin1");
  assert.equal(reply.match(/HTTP\/1\.1 200 OK/g)?.length, 3);
  assert.equal(reply.match(/Hello World!/g)?.length, 3);
});

test("HTTP/1.0 without keep-alive gets its response and a closed connection", async (t) => {
  const server = await startServer([app("hello.wsgi")]);
  t.after(() => server.stop());
  const reply = (await rawExchange(server.port, "GET / HTTP/1.0\r\n\r\n", 5000)).toString("latin1");
  assert.match(reply, /^HTTP\/1\.1 200 OK\r\n/);
  assert.match(reply, /\r\n\r\nHello World!$/);
});

test("HEAD calls the app but sends no body", async (t) => {
  const server = await startServer([app("hello.wsgi")]);
  t.after(() => server.stop());
  const reply = (
    await rawExchange(server.port, "HEAD / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 5000)
  ).toString("latin1");
  assert.match(reply, /^HTTP\/1\.1 200 OK\r\n/);
  assert.match(reply, /Content-Length: 12\r\n/i);
  assert.ok(reply.endsWith("\r\n\r\n"), `no body after the head: ${JSON.stringify(reply)}`);
});

test("requests wait in the queue while every thread is busy, then are served", async (t) => {
  const server = await startServer([app("slow.wsgi"), "--threads", "1"]);
  t.after(() => server.stop());
  const started = Date.now();
  const replies = await Promise.all([1, 2, 3].map(() => request(`${server.url}?seconds=0.3`)));
  for (const r of replies) assert.equal(r.status, 200);
  // One thread serves them one after another.
  assert.ok(Date.now() - started >= 850, "three 0.3 s requests on one thread overlapped");
});

test("--queue-timeout answers 504 without reaching Python", async (t) => {
  const server = await startServer([
    app("announce_sleep.wsgi"),
    "--threads",
    "1",
    "--queue-timeout",
    "1",
  ]);
  t.after(() => server.stop());
  const busy = request(`${server.url}?seconds=3&id=busy`);
  // Queue the second request only once the first one holds the only thread.
  await eventually(server.errorLog, (log) => log.includes("sleeping busy"));
  const queued = await request(`${server.url}?seconds=0&id=queued`);
  assert.equal(queued.status, 504);
  assert.equal((await busy).status, 200);
  assert.doesNotMatch(server.errorLog(), /sleeping queued/);
});

test("SIGTERM lets an in-flight request finish, then exits 0", async (t) => {
  const server = await startServer([app("announce_sleep.wsgi")]);
  t.after(() => server.stop("SIGKILL"));
  const inFlight = request(`${server.url}?seconds=1&id=inflight`);
  await eventually(server.errorLog, (log) => log.includes("sleeping inflight"));
  const exit = server.stop();
  const reply = await inFlight;
  assert.equal(reply.status, 200);
  assert.equal(reply.body.toString(), "woke up inflight");
  assert.equal(await exit, 0);
  // The listening socket is closed: a new connection is refused.
  await assert.rejects(
    new Promise((resolve, reject) => {
      const socket = connect(server.port, "127.0.0.1", () => {
        resolve(socket.end());
      });
      socket.on("error", reject);
    }),
  );
});
