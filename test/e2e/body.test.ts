import { test } from "node:test";
import assert from "node:assert/strict";
import { connect } from "node:net";
import { app, postInBlocks, rawExchange, request, startServer } from "./harness.js";

test("a request body reaches the app and comes back", async (t) => {
  const server = await startServer([app("echo.wsgi")]);
  t.after(() => server.stop());
  const body = Buffer.from(Array.from({ length: 100_000 }, (_, i) => i % 251));
  const reply = await request(server.url, { method: "POST", body });
  assert.equal(reply.status, 200);
  assert.ok(reply.body.equals(body));
});

test("chunked request bodies: 411 by default, streamed to the app with --chunked-request", async (t) => {
  const chunked =
    "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n" +
    "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n";
  const refusing = await startServer([app("echo.wsgi")]);
  t.after(() => refusing.stop());
  assert.match((await rawExchange(refusing.port, chunked, 5000)).toString(), /^HTTP\/1\.1 411 /);

  const accepting = await startServer([app("echo.wsgi"), "--chunked-request"]);
  t.after(() => accepting.stop());
  const reply = (await rawExchange(accepting.port, chunked, 5000)).toString();
  assert.match(reply, /^HTTP\/1\.1 200 /);
  assert.match(reply, /hello world/);
});

test("--limit-request-body answers 413 without reaching Python", async (t) => {
  const server = await startServer([
    app("echo.wsgi"),
    "--limit-request-body",
    "1000",
    "--chunked-request",
  ]);
  t.after(() => server.stop());
  const declared = await request(server.url, { method: "POST", body: Buffer.alloc(1001) });
  assert.equal(declared.status, 413);
  const fits = await request(server.url, { method: "POST", body: Buffer.alloc(1000, 1) });
  assert.equal(fits.status, 200);
  assert.equal(fits.body.length, 1000);
  // A chunked body gives no length up front: it is cut when it passes the limit.
  const big = "a".repeat(2000);
  const chunked = await rawExchange(
    server.port,
    `POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n${(2000).toString(16)}\r\n${big}\r\n0\r\n\r\n`,
    3000,
  );
  assert.match(chunked.toString(), /^HTTP\/1\.1 413 /);
});

test("Expect: 100-continue gets 100 only when the app reads the body", async (t) => {
  const server = await startServer([app("echo.wsgi")]);
  t.after(() => server.stop());
  const socket = connect(server.port, "127.0.0.1");
  t.after(() => socket.destroy());
  let received = "";
  socket.setEncoding("latin1").on("data", (chunk: string) => (received += chunk));
  socket.write(
    "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n",
  );
  const waitFor = async (pattern: RegExp): Promise<void> => {
    const deadline = Date.now() + 10_000;
    while (!pattern.test(received)) {
      if (Date.now() > deadline) throw new Error(`never got ${pattern}: ${received}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  await waitFor(/^HTTP\/1\.1 100 Continue\r\n\r\n/);
  socket.write("hello");
  await waitFor(/HTTP\/1\.1 200 OK[\s\S]*\r\n\r\nhello$/);
});

test("500 request headers reach the app intact (the seed's writev bug)", async (t) => {
  // Past Apache's LimitRequestFields (100), so its option is lifted: the daemon protocol
  // must carry any number of headers the head's size admits.
  const server = await startServer([app("environ.wsgi"), "--limit-request-fields", "0"]);
  t.after(() => server.stop());
  const headers: Record<string, string> = {};
  for (let i = 0; i < 500; i++) headers[`X-Header-${i}`] = `value-${i}`;
  const reply = await request(server.url, { headers });
  assert.equal(reply.status, 200);
  const environ = JSON.parse(reply.body.toString()) as Record<string, string>;
  for (let i = 0; i < 500; i++) assert.equal(environ[`HTTP_X_HEADER_${i}`], `value-${i}`);
});

test("a header value near the request head limit passes; past it the client gets 431", async (t) => {
  // The per-field and field-count limits lifted: this is about the 64 KiB head cap.
  const server = await startServer([
    app("environ.wsgi"),
    "--limit-request-field-size",
    "0",
    "--limit-request-fields",
    "0",
  ]);
  t.after(() => server.stop());
  const big = "v".repeat(60_000);
  const reply = await request(server.url, { headers: { "X-Big": big } });
  assert.equal(reply.status, 200);
  assert.equal((JSON.parse(reply.body.toString()) as Record<string, string>).HTTP_X_BIG, big);
  // Past the limit in many lines: node reports only the chunk that overflowed, and a
  // chunk from inside one line longer than a socket read cannot say which line it is.
  const lines = Array.from({ length: 100 }, (_, i) => `X-Big-${i}: ${"v".repeat(700)}\r\n`);
  const tooBig = await rawExchange(
    server.port,
    `GET / HTTP/1.1\r\nHost: x\r\n${lines.join("")}\r\n`,
    3000,
  );
  assert.match(tooBig.toString(), /^HTTP\/1\.1 431 /);
});

test("both directions flow at once: a 64 MB body echoed while it is still arriving", async (t) => {
  const server = await startServer([
    app("stream_echo.wsgi"),
    "--limit-request-body",
    "0",
    "--body-spool-size",
    "0",
  ]);
  t.after(() => server.stop());
  const size = 64 * 1024 * 1024;
  const received = (await postInBlocks(server.url, size)).bytes;
  assert.equal(received, size);
});
