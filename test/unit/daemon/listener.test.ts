import { test } from "node:test";
import assert from "node:assert/strict";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { createConnection, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DAEMON_READ } from "../../../src/daemon/daemon-socket.js";
import { helloEnd, listenForDaemons } from "../../../src/daemon/listener.js";
import { encodeFrame, FrameType, type Frame } from "../../../src/protocol/frames.js";
import { PROTOCOL_VERSION } from "../../../src/protocol/messages.js";

const TOKEN = "t0ken";

function helloFrame(token = TOKEN): Buffer {
  const hello = { protocol: PROTOCOL_VERSION, token, pid: 1, role: "control", thread: 0 };
  return encodeFrame(FrameType.HELLO, Buffer.from(JSON.stringify(hello)));
}

/** A listener whose accepted connections hand their frames after HELLO to `frames`. */
async function listening(t: { after: (fn: () => void) => void }) {
  const dir = mkdtempSync(join(tmpdir(), "listener-test-"));
  const frames: Frame[] = [];
  const rejected: string[] = [];
  const accepted: Socket[] = [];
  const server = await listenForDaemons(
    join(dir, "daemons.sock"),
    TOKEN,
    (_hello, socket, decoder) => {
      accepted.push(socket);
      socket.on(DAEMON_READ, (chunk: Buffer) => {
        for (const frame of decoder.push(chunk)) {
          frames.push({ type: frame.type, payload: Buffer.from(frame.payload) });
        }
      });
    },
    (reason) => rejected.push(reason),
  );
  t.after(() => {
    for (const socket of accepted) socket.destroy();
    server.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { path: join(dir, "daemons.sock"), frames, rejected, accepted };
}

async function until(predicate: () => boolean): Promise<void> {
  for (let tries = 0; !predicate(); tries++) {
    assert.ok(tries < 1000, "timed out");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

test("frames that come in the HELLO's read reach the channel (a front end that read late)", async (t) => {
  const { path, frames, rejected } = await listening(t);
  const client = createConnection(path);
  t.after(() => client.destroy());
  const recycle = encodeFrame(FrameType.RECYCLE, Buffer.from('{"reason":"x"}'));
  client.write(
    Buffer.concat([helloFrame(), encodeFrame(FrameType.HEARTBEAT), recycle.subarray(0, 7)]),
  );
  await until(() => frames.length === 1 || rejected.length > 0);
  assert.deepEqual(rejected, []);
  client.write(recycle.subarray(7));
  await until(() => frames.length === 2);
  assert.deepEqual(
    frames.map((frame) => frame.type),
    [FrameType.HEARTBEAT, FrameType.RECYCLE],
  );
  assert.equal(frames[1]?.payload.toString(), '{"reason":"x"}');
});

test("a HELLO that comes a byte at a time is accepted", async (t) => {
  const { path, accepted, rejected } = await listening(t);
  const client = createConnection(path);
  t.after(() => client.destroy());
  await once(client, "connect");
  const hello = helloFrame();
  for (let at = 0; at < hello.length; at++) {
    client.write(hello.subarray(at, at + 1));
    await new Promise((resolve) => setImmediate(resolve));
  }
  await until(() => accepted.length === 1 || rejected.length > 0);
  assert.deepEqual(rejected, []);
});

test("a connection that does not start with a HELLO, or gives a wrong token, is refused", async (t) => {
  const { path, rejected } = await listening(t);
  const first = createConnection(path);
  t.after(() => first.destroy());
  first.write(Buffer.concat([encodeFrame(FrameType.HEARTBEAT), helloFrame()]));
  await until(() => rejected.length === 1);
  assert.match(rejected[0] ?? "", /must start with one HELLO/);
  const second = createConnection(path);
  t.after(() => second.destroy());
  second.write(helloFrame("wrong"));
  await until(() => rejected.length === 2);
  assert.match(rejected[1] ?? "", /wrong token/);
});

test("helloEnd: where the HELLO ends, once its header is in", () => {
  assert.equal(helloEnd(Buffer.from([FrameType.HELLO, 0, 0])), Infinity);
  assert.equal(helloEnd(Buffer.from([FrameType.HELLO, 0, 0, 0, 9])), 14);
  assert.throws(() => helloEnd(Buffer.from([FrameType.HELLO, 0xff, 0, 0, 0])), /one HELLO/);
});
