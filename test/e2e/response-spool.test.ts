/**
 * The response spool (response-spool.ts): once --response-buffer-size bytes wait for a
 * client that does not read, the rest of the response goes to a file and the daemon
 * thread serves the next request; --response-spool-size 0 makes the thread wait instead.
 * The slow client is a raw socket that stops reading, then reads everything.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { connect } from "node:net";
import { gunzipSync } from "node:zlib";
import { app, eventually, request, startServer } from "./harness.js";
import {
  answeredWithin,
  CHUNKS,
  dechunk,
  MB,
  responseFiles,
  seededBody,
  stalledRead,
} from "./spool-helpers.js";

const oneThread = (spoolSize: number): string[] => [
  app("streaming.wsgi"),
  "--threads",
  "1",
  "--response-buffer-size",
  "65536",
  "--response-spool-size",
  String(spoolSize),
];

test("a response the client does not read goes to a file; the thread serves on", async (t) => {
  const server = await startServer(oneThread(256 * MB));
  t.after(() => server.stop());
  const slow = stalledRead(server, 7);
  t.after(() => slow.socket.destroy());
  // The whole response leaves the daemon while the client reads nothing.
  await eventually(
    () => responseFiles(server),
    (files) => files.length === 1,
  );
  assert.equal(await answeredWithin(server, 10_000), true, "the one thread was held");
  const body = await slow.readAll();
  assert.equal(body.length, CHUNKS * MB);
  assert.ok(body.equals(seededBody(7, CHUNKS, MB)), "the body came back changed");
  // A file this large is closed, not kept for the next response.
  await eventually(
    () => responseFiles(server),
    (files) => files.length === 0,
  );
});

test("a gzipped response is spooled before it is compressed, and arrives whole", async (t) => {
  const server = await startServer([...oneThread(256 * MB), "--compress-responses"]);
  t.after(() => server.stop());
  // Noise, which gzip cannot shrink below what the client leaves unread.
  const query = `chunks=${String(CHUNKS)}&size=${String(MB)}&noise=9&type=text/plain`;
  const slow = stalledRead(server, 0, query);
  t.after(() => slow.socket.destroy());
  assert.equal(await answeredWithin(server, 10_000), true, "the one thread was held");
  const body = gunzipSync(await slow.readAll());
  const plain = await request(`${server.url}?${query}`);
  assert.equal(body.length, CHUNKS * MB);
  assert.ok(body.equals(plain.body), "the body came back changed");
});

test("with --response-spool-size 0 the thread waits for the client", async (t) => {
  const server = await startServer(oneThread(0));
  t.after(() => server.stop());
  const slow = stalledRead(server, 3);
  t.after(() => slow.socket.destroy());
  assert.equal(await answeredWithin(server, 1500), false, "the thread did not wait");
  const body = await slow.readAll();
  assert.ok(body.equals(seededBody(3, CHUNKS, MB)));
  assert.equal(await answeredWithin(server, 10_000), true);
});

test("past the spool's budget the thread waits, and the body still arrives whole", async (t) => {
  const server = await startServer(oneThread(2 * MB));
  t.after(() => server.stop());
  const slow = stalledRead(server, 11);
  t.after(() => slow.socket.destroy());
  assert.equal(await answeredWithin(server, 1500), false, "the budget did not hold");
  const body = await slow.readAll();
  assert.ok(body.equals(seededBody(11, CHUNKS, MB)));
});

test("a client that leaves mid-spool frees its file; the server goes on", async (t) => {
  const server = await startServer(oneThread(256 * MB));
  t.after(() => server.stop());
  const slow = stalledRead(server, 5);
  // The thread is free once the whole response is in the file: larger than a file the
  // spool keeps for reuse (spool-files.ts), so it is closed once the client is gone.
  assert.equal(await answeredWithin(server, 10_000), true);
  assert.equal(responseFiles(server).length, 1);
  slow.socket.destroy();
  await eventually(
    () => responseFiles(server),
    (files) => files.length === 0,
  );
  const res = await request(`${server.url}?chunks=2&size=10`);
  assert.equal(res.body.toString(), "A".repeat(10) + "B".repeat(10));
  assert.doesNotMatch(server.errorLog(), /spool/);
});

test("a stop waits for a response still in the spool, up to --shutdown-timeout", async (t) => {
  const server = await startServer([...oneThread(256 * MB), "--shutdown-timeout", "20"]);
  const slow = stalledRead(server, 13);
  t.after(() => slow.socket.destroy());
  assert.equal(await answeredWithin(server, 10_000), true, "the one thread was held");
  const stopped = server.stop();
  // The client reads only once the server is stopping.
  await new Promise((resolve) => setTimeout(resolve, 500));
  const body = await slow.readAll();
  assert.ok(body.equals(seededBody(13, CHUNKS, MB)), "the body came back changed");
  assert.equal(await stopped, 0);
});

test("the connection is kept alive after a spooled response for the next request", async (t) => {
  const server = await startServer(oneThread(256 * MB));
  t.after(() => server.stop());
  const socket = connect(server.port, "127.0.0.1");
  t.after(() => socket.destroy());
  socket.pause();
  const query = `chunks=${String(CHUNKS)}&size=${String(MB)}&seed=17`;
  socket.write(`GET /?${query} HTTP/1.1\r\nHost: a\r\n\r\n`);
  assert.equal(await answeredWithin(server, 10_000), true, "the one thread was held");
  /** Reads on until the bytes read end with `end`. */
  const upTo = (end: string): Promise<Buffer> =>
    new Promise((resolve) => {
      const received: Buffer[] = [];
      let tail = Buffer.alloc(0);
      const onData = (chunk: Buffer): void => {
        received.push(chunk);
        tail = Buffer.concat([tail, chunk.subarray(-end.length)]).subarray(-end.length);
        if (tail.toString("latin1") !== end) return;
        socket.removeListener("data", onData);
        socket.pause();
        resolve(Buffer.concat(received));
      };
      socket.on("data", onData);
      socket.resume();
    });
  // A chunked body ends with a chunk of size 0 (the seeded bytes never hold "\r\n0\r\n").
  const first = await upTo("\r\n0\r\n\r\n");
  assert.ok(dechunk(first).equals(seededBody(17, CHUNKS, MB)), "the body came back changed");
  assert.doesNotMatch(first.toString("latin1", 0, 200), /Connection: close/i);
  socket.write("GET /?chunks=1&size=5 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
  assert.match((await upTo("\r\n0\r\n\r\n")).toString("latin1"), /^HTTP\/1\.1 200 [^]*AAAAA/);
});
