import { test } from "node:test";
import assert from "node:assert/strict";
import { Duplex } from "node:stream";
import type { Socket } from "node:net";
import { setImmediate as nextTurn } from "node:timers/promises";
import { BODY_WINDOW, WorkerChannel } from "../../../src/daemon/worker-channel.js";
import {
  FrameDecoder,
  FrameType,
  encodeFrame,
  encodeHeader,
} from "../../../src/protocol/frames.js";

/** A socket whose writes are recorded one system call (write or writev) each; the
 *  daemon never reads, so the bytes stay queued until `release()`. */
class RecordingSocket extends Duplex {
  readonly calls: Buffer[][] = [];
  private held: (() => void)[] = [];
  setNoDelay(): this {
    return this;
  }
  override _read(): void {
    // The daemon side sends nothing in these tests.
  }
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.calls.push([chunk]);
    this.held.push(done);
  }
  override _writev(chunks: { chunk: Buffer }[], done: () => void): void {
    this.calls.push(chunks.map(({ chunk }) => chunk));
    this.held.push(done);
  }
  release(): void {
    const held = this.held;
    this.held = [];
    for (const done of held) done();
  }
}

function channel() {
  const socket = new RecordingSocket();
  const worker = new WorkerChannel(socket as unknown as Socket, new FrameDecoder(), 1, 0, () => {
    // Closing is not under test here.
  });
  return { socket, worker };
}

const piece = (size: number, fill: number): Buffer => Buffer.alloc(size, fill);
const bodyFrame = (payload: Buffer): [Buffer, Buffer] => [
  encodeHeader(FrameType.REQUEST_BODY, payload.length),
  payload,
];

test("the body frames of one event-loop turn leave in one writev, in order", async () => {
  const { socket, worker } = channel();
  const payloads = [piece(10, 1), piece(20, 2), piece(30, 3)];
  for (const payload of payloads) worker.writeBody(...bodyFrame(payload));
  assert.equal(socket.calls.length, 0);
  await nextTurn();
  assert.equal(socket.calls.length, 1);
  const expected = Buffer.concat(payloads.map((p) => encodeFrame(FrameType.REQUEST_BODY, p)));
  assert.deepEqual(Buffer.concat(socket.calls[0] ?? []), expected);
  worker.writeBody(...bodyFrame(piece(5, 4)));
  socket.release();
  await nextTurn();
  assert.equal(socket.calls.length, 2, "a later turn is a write of its own");
});

test("writeBody asks for a pause once BODY_WINDOW bytes wait, and drain resumes", async () => {
  const { socket, worker } = channel();
  let drained = 0;
  worker.assign(
    {
      onFrame: () => undefined,
      onChannelLost: () => undefined,
      onDrain: () => (drained += 1),
      bodySent: false,
    },
    0,
  );
  const size = 64 * 1024;
  let sent = 0;
  while (worker.writeBody(...bodyFrame(piece(size, 7)))) sent += size;
  // Seven 64 KiB frames (with their headers) stay under 512 KiB; the eighth does not.
  assert.equal(sent, BODY_WINDOW - size);
  await nextTurn();
  socket.release();
  await nextTurn();
  assert.equal(drained, 1);
});
