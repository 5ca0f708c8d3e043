import { test } from "node:test";
import assert from "node:assert/strict";
import { once } from "node:events";
import { createConnection, createServer, type Socket } from "node:net";
import { PassThrough } from "node:stream";
import { DAEMON_READ, readThroughPool } from "../../../src/daemon/daemon-socket.js";
import { ReadBufferPool } from "../../../src/daemon/read-buffer-pool.js";

test("an accepted connection reads into the pool's buffers, in order, and can still write", async () => {
  const pool = new ReadBufferPool();
  const received: Buffer[] = [];
  let pooledReads = 0;
  let serverSide: Socket | undefined;
  const server = createServer({ pauseOnConnect: true }, (accepted) => {
    const socket = readThroughPool(accepted, pool);
    serverSide = socket;
    socket.on(DAEMON_READ, (chunk: Buffer) => {
      // This node version must still let us take the handle over (daemon-socket.ts).
      const repay = pool.lend(chunk);
      if (repay !== null) pooledReads += 1;
      repay?.();
      received.push(Buffer.from(chunk));
      if (Buffer.concat(received).length === 300_000) socket.end("done");
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as { port: number };
  const client = createConnection(port, "127.0.0.1");
  const sent = Buffer.alloc(300_000);
  for (let i = 0; i < sent.length; i++) sent[i] = i % 241;
  for (let i = 0; i < sent.length; i += 10_000) client.write(sent.subarray(i, i + 10_000));
  const answer: Buffer[] = [];
  client.on("data", (chunk: Buffer) => answer.push(chunk));
  await once(client, "end");
  const closed =
    serverSide?.closed === true ? Promise.resolve() : once(serverSide as Socket, "close");
  client.destroy();
  await closed;
  await new Promise((resolve) => server.close(resolve));
  assert.ok(Buffer.concat(received).equals(sent));
  assert.equal(Buffer.concat(answer).toString(), "done");
  assert.equal(pooledReads, received.length);
  // Closed, the socket's buffer went back to the pool.
  assert.equal(pool.freeCount, 1);
});

test("a socket without a handle to take over reads as before, into DAEMON_READ", () => {
  const stream = new PassThrough();
  const socket = readThroughPool(stream as unknown as Socket, new ReadBufferPool());
  const seen: string[] = [];
  socket.on(DAEMON_READ, (chunk: Buffer) => seen.push(chunk.toString()));
  stream.write("hello");
  assert.deepEqual(seen, ["hello"]);
});
