/** Issue #25: how an embedded worker on its way out lets its connections finish. */
import assert from "node:assert/strict";
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import { connect, type AddressInfo, type Socket } from "node:net";
import { test } from "node:test";
import { ServerDrain } from "../../../src/embedded/server-drain.js";
import { systemTimers, type TimerHandle, type Timers } from "../../../src/process/timers.js";

/** Timers whose timeouts run only when the test says so. */
function manualTimers(): Timers & { fire(): void; pending: number } {
  const waiting = new Map<number, () => void>();
  let next = 1;
  return {
    ...systemTimers,
    now: () => 0,
    setTimeout: (callback) => {
      waiting.set(next, callback);
      return next++ as unknown as TimerHandle;
    },
    clearTimeout: (handle) => {
      waiting.delete(handle as unknown as number);
    },
    fire: () => {
      for (const callback of [...waiting.values()]) callback();
      waiting.clear();
    },
    get pending() {
      return waiting.size;
    },
  };
}

/** An HTTP server whose responses wait for `release()`. */
async function holdingServer(): Promise<{
  server: Server;
  port: number;
  release: () => void;
  received: () => number;
}> {
  let held: (() => void)[] = [];
  let received = 0;
  const server = createServer({ keepAliveTimeout: 60_000 }, (_req, res) => {
    received += 1;
    held.push(() => res.end("ok"));
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const release = (): void => {
    for (const end of held) end();
    held = [];
  };
  const port = (server.address() as AddressInfo).port;
  return { server, port, release, received: () => received };
}

/** A raw keep-alive client: what it has read so far, and whether the server closed. */
function client(port: number): { socket: Socket; text: () => string; ended: Promise<void> } {
  const socket = connect(port, "127.0.0.1");
  let text = "";
  socket.on("data", (chunk: Buffer) => (text += chunk.toString()));
  const ended = once(socket, "end").then(() => undefined);
  return { socket, text: () => text, ended };
}

const GET = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(check());
}

test("a drain lets a connection finish its request, closes it after its next one, then is done", async () => {
  const { server, port, release, received } = await holdingServer();
  const timers = manualTimers();
  let done = 0;
  const drain = new ServerDrain(server, timers, false, () => (done += 1));
  const busy = client(port);
  busy.socket.write(GET);
  const idle = client(port);
  await once(idle.socket, "connect");
  await until(() => received() === 1);
  drain.close(30_000, false);
  assert.ok(drain.draining);
  release();
  await until(() => /ok$/.test(busy.text()));
  assert.match(busy.text(), /Connection: keep-alive/i, "a response begun before the drain");
  busy.socket.write(GET);
  await until(() => received() === 2);
  release();
  await busy.ended;
  assert.match(busy.text().split("HTTP/1.1 200")[2] ?? "", /Connection: close/i);
  // The idle connection was not cut: a request sent on it now is served, with close.
  assert.equal(done, 0);
  idle.socket.write(GET);
  await until(() => received() === 3);
  release();
  await idle.ended;
  assert.match(idle.text(), /^HTTP\/1\.1 200 OK[\s\S]*Connection: close/i);
  await until(() => done === 1);
  assert.equal(timers.pending, 0, "the deadline is cleared");
});

test("at the deadline what is left is cut; a stop closes idle connections at once", async () => {
  const { server, port } = await holdingServer();
  const timers = manualTimers();
  let done = 0;
  const drain = new ServerDrain(server, timers, false, () => (done += 1));
  const idle = client(port);
  await once(idle.socket, "connect");
  drain.close(30_000, false);
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(done, 0);
  timers.fire();
  assert.equal(done, 1);
  await once(idle.socket, "close");

  const other = await holdingServer();
  const stopping = new ServerDrain(other.server, manualTimers(), false, () => (done += 1));
  // Idle once its first response is done (a connection yet to send a request is not).
  const waiting = client(other.port);
  waiting.socket.write(GET);
  await until(() => other.received() === 1);
  other.release();
  await until(() => /ok$/.test(waiting.text()));
  stopping.close(5_000, true);
  await waiting.ended;
  await until(() => done === 2);
});
