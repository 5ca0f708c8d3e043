/**
 * The request body spool (request-spool.ts): a slow upload is read into a file before the
 * app is called, so it never holds a daemon thread; --body-spool-size 0 streams instead.
 * Uploads are held half-sent on raw sockets; the app reports what it received.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { readdirSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { join } from "node:path";
import {
  app,
  asNobody,
  canDropToNobody,
  eventually,
  frontEndPid,
  request,
  startServer,
  daemonOnly,
} from "./harness.js";
import { openFilesUnder } from "./spool-helpers.js";

/** The front end's open request spool files. */
const spoolFiles = (pid: number): string[] => openFilesUnder(pid, "/request-bodies/");

interface Upload {
  readonly socket: Socket;
  /** Everything the server sent, once it closed the connection. */
  readonly response: Promise<string>;
}

/** Sends a request head and the first part of its body, and holds the rest back. */
function startUpload(port: number, headers: string, first: Buffer | string): Upload {
  const socket = connect(port, "127.0.0.1");
  socket.on("error", () => undefined);
  const chunks: Buffer[] = [];
  socket.on("data", (chunk: Buffer) => chunks.push(chunk));
  const response = new Promise<string>((resolve) => {
    socket.once("close", () => {
      resolve(Buffer.concat(chunks).toString("latin1"));
    });
  });
  socket.write(`POST /upload HTTP/1.1\r\nHost: a\r\nConnection: close\r\n${headers}\r\n`);
  socket.write(first);
  return { socket, response };
}

const sha256 = (bytes: Buffer): string => createHash("sha256").update(bytes).digest("hex");
const pidOf = frontEndPid;

test("a half-sent upload is spooled and holds no thread; the app gets it whole", async (t) => {
  const server = await startServer([app("upload_probe.wsgi"), "--threads", "1"]);
  t.after(() => server.stop());
  const body = randomBytes(200_000);
  const upload = startUpload(server.port, "Content-Length: 200000\r\n", body.subarray(0, 100_000));
  t.after(() => upload.socket.destroy());
  const [file] = await eventually(
    () => spoolFiles(pidOf(server)),
    (files) => files.length === 1,
  );
  assert.match(file ?? "", /\(deleted\)$/, "unlinked while open");
  assert.deepEqual(readdirSync(join(server.serverRoot, "request-bodies")), []);
  // The only daemon thread is free while the upload waits.
  const hello = await request(`${server.url}hello`);
  assert.equal(hello.body.toString(), "hello");
  upload.socket.write(body.subarray(100_000));
  assert.match(await upload.response, new RegExp(`\r\n\r\n200000 ${sha256(body)}$`));
  // The file is kept for the next body, which it carries whole over the old one.
  const next = randomBytes(150_000);
  const reply = await request(`${server.url}upload`, { method: "POST", body: next });
  assert.equal(reply.body.toString(), `150000 ${sha256(next)}`);
  assert.deepEqual(spoolFiles(pidOf(server)), [file]);
});

test("a daemon thread reads a spooled body from its file; the front end only names it", async (t) => {
  const server = await startServer([app("upload_probe.wsgi"), "--threads", "2"]);
  t.after(() => server.stop());
  // Two at once over files kept for reuse: neither may see the other's bytes.
  const bodies = [randomBytes(1_500_000), randomBytes(1_200_000)];
  const replies = await Promise.all(
    bodies.map((body) => request(`${server.url}where`, { method: "POST", body })),
  );
  replies.forEach((reply, index) => {
    const body = bodies[index] ?? Buffer.alloc(0);
    assert.equal(reply.body.toString(), `file ${String(body.length)} ${sha256(body)}`);
  });
  // (The app sees the file open only while more than one read of it is left: 1 MiB.)
  const again = randomBytes(1_100_000);
  const reply = await request(`${server.url}where`, { method: "POST", body: again });
  assert.equal(reply.body.toString(), `file 1100000 ${sha256(again)}`);
});

test(
  "daemons running as another --user cannot open the spool: they get the body as frames",
  daemonOnly("--user is refused in embedded mode", !canDropToNobody),
  async (t) => {
    const server = await startServer([app("upload_probe.wsgi"), ...asNobody()]);
    t.after(() => server.stop());
    const body = randomBytes(1_500_000);
    const reply = await request(`${server.url}where`, { method: "POST", body });
    assert.equal(reply.body.toString(), `frames 1500000 ${sha256(body)}`);
  },
);

test("with --body-spool-size 0 the upload streams: it holds the thread until it is in", async (t) => {
  const server = await startServer([
    app("upload_probe.wsgi"),
    "--threads",
    "1",
    "--body-spool-size",
    "0",
  ]);
  t.after(() => server.stop());
  const body = randomBytes(200_000);
  const upload = startUpload(server.port, "Content-Length: 200000\r\n", body.subarray(0, 100_000));
  t.after(() => upload.socket.destroy());
  let helloDone = false;
  const hello = request(`${server.url}hello`).then((reply) => {
    helloDone = true;
    return reply;
  });
  // Whatever the timing, /hello cannot be served while the upload holds the one thread.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  assert.equal(helloDone, false);
  assert.deepEqual(spoolFiles(pidOf(server)), []);
  upload.socket.write(body.subarray(100_000));
  assert.match(await upload.response, new RegExp(`200000 ${sha256(body)}$`));
  assert.equal((await hello).body.toString(), "hello");
});

test("an upload abandoned while it spools never reaches the app; its file serves the next", async (t) => {
  const server = await startServer([app("upload_probe.wsgi")]);
  t.after(() => server.stop());
  const upload = startUpload(server.port, "Content-Length: 200000\r\n", Buffer.alloc(100_000));
  await eventually(
    () => spoolFiles(pidOf(server)),
    (files) => files.length === 1,
  );
  upload.socket.destroy();
  const next = randomBytes(150_000);
  const reply = await request(`${server.url}upload`, { method: "POST", body: next });
  assert.equal(reply.body.toString(), `150000 ${sha256(next)}`);
  // The abandoned file is taken again once the front end has seen the client go.
  assert.ok(spoolFiles(pidOf(server)).length <= 2);
  // Streamed, the app would have run for the first upload and failed reading it.
  await eventually(server.errorLog, (log) => /app got 150000 bytes/.test(log));
  assert.doesNotMatch(server.errorLog(), /Exception occurred/);
  assert.equal(server.errorLog().match(/app got/g)?.length, 1);
});

test("past the spool's budget a body streams; a chunked one continues after its spooled part", async (t) => {
  const server = await startServer([
    app("upload_probe.wsgi"),
    "--chunked-request",
    "--body-spool-size",
    "150000",
  ]);
  t.after(() => server.stop());
  const declared = randomBytes(200_000);
  const whole = await request(`${server.url}upload`, { method: "POST", body: declared });
  assert.equal(whole.body.toString(), `200000 ${sha256(declared)}`);
  // 100 KB chunks: the first fits, the second does not; the third is still to come then.
  const chunked = randomBytes(300_000);
  const chunk = (from: number): string =>
    `186a0\r\n${chunked.subarray(from, from + 100_000).toString("latin1")}\r\n`;
  const upload = startUpload(
    server.port,
    "Transfer-Encoding: chunked\r\n",
    Buffer.from(chunk(0) + chunk(100_000), "latin1"),
  );
  t.after(() => upload.socket.destroy());
  await eventually(
    () => spoolFiles(pidOf(server)),
    (files) => files.length === 1,
  );
  upload.socket.write(Buffer.from(`${chunk(200_000)}0\r\n\r\n`, "latin1"));
  assert.match(await upload.response, new RegExp(`300000 ${sha256(chunked)}$`));
});

test("a chunked body past --limit-request-body gets 413 from the spool, never the app", async (t) => {
  const server = await startServer([
    app("upload_probe.wsgi"),
    "--chunked-request",
    "--limit-request-body",
    "150000",
  ]);
  t.after(() => server.stop());
  const piece = `186a0\r\n${"a".repeat(100_000)}\r\n`;
  const upload = startUpload(server.port, "Transfer-Encoding: chunked\r\n", piece + piece);
  assert.match(await upload.response, /^HTTP\/1\.1 413 /);
  // Streamed, the app would have run and failed reading; one later request marks the log.
  await request(`${server.url}upload`, { method: "POST", body: "after" });
  await eventually(server.errorLog, (log) => /app got 5 bytes/.test(log));
  assert.doesNotMatch(server.errorLog(), /Exception occurred|app got [^5]/);
});
