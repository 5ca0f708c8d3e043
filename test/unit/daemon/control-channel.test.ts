import { test } from "node:test";
import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import type { Socket } from "node:net";
import { ControlChannel } from "../../../src/daemon/control-channel.js";
import { DAEMON_READ } from "../../../src/daemon/daemon-socket.js";
import { FrameDecoder, FrameType, encodeFrame } from "../../../src/protocol/frames.js";

/** Enough of a socket for the control channel: data in, writes recorded. */
class FakeSocket extends EventEmitter {
  destroyed = false;
  readonly written: Buffer[] = [];
  write(data: Buffer): boolean {
    this.written.push(data);
    return true;
  }
  destroy(): void {
    this.destroyed = true;
  }
}

function channel() {
  const socket = new FakeSocket();
  const seen: string[] = [];
  const control = new ControlChannel(socket as unknown as Socket, new FrameDecoder(), {
    onHeartbeat: () => seen.push("heartbeat"),
    onRecycle: (reason) => seen.push(`recycle ${reason}`),
    onRecalled: (answer) => seen.push(`recalled ${JSON.stringify(answer)}`),
    onProblem: (message) => seen.push(`problem ${message}`),
  });
  return { socket, seen, control };
}

const json = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));

test("heartbeats and recycle requests reach the pool", () => {
  const { socket, seen } = channel();
  socket.emit(
    DAEMON_READ,
    Buffer.concat([
      encodeFrame(FrameType.HEARTBEAT),
      encodeFrame(FrameType.RECYCLE, json({ reason: "cpu_time_limit" })),
    ]),
  );
  assert.deepEqual(seen, ["heartbeat", "recycle cpu_time_limit"]);
});

test("a RECALLED answer reaches the pool", () => {
  const { socket, seen } = channel();
  const answer = { id: "r1", thread: 2, recalled: true };
  socket.emit(DAEMON_READ, encodeFrame(FrameType.RECALLED, json(answer)));
  assert.deepEqual(seen, [`recalled ${JSON.stringify(answer)}`]);
});

test("a malformed recycle, recall answer or an unexpected frame closes the control connection", () => {
  for (const frame of [
    encodeFrame(FrameType.RECYCLE, json({ reason: "Not A Reason\n" })),
    encodeFrame(FrameType.RECALLED, json({ id: "r1", thread: "2", recalled: true })),
    encodeFrame(FrameType.RECALLED, json({ id: "r1", thread: 2 })),
    encodeFrame(FrameType.RESPONSE_END),
  ]) {
    const { socket, seen } = channel();
    socket.emit(DAEMON_READ, frame);
    assert.equal(seen.length, 1);
    assert.match(seen[0] ?? "", /^problem control connection: /);
    assert.equal(socket.destroyed, true);
  }
});

test("abort, interrupt, recall and shutdown are written as their frames", () => {
  const { socket, control } = channel();
  control.abort("a");
  control.interrupt("b");
  control.recall("c", 3);
  control.shutdown("maximum_requests");
  const types = socket.written.map((frame) => frame[0]);
  assert.deepEqual(types, [
    FrameType.ABORT,
    FrameType.INTERRUPT,
    FrameType.RECALL,
    FrameType.SHUTDOWN,
  ]);
  const payload = (index: number): unknown =>
    JSON.parse(socket.written[index]?.subarray(5).toString() ?? "");
  assert.deepEqual(payload(2), { id: "c", thread: 3 });
  assert.deepEqual(payload(3), { reason: "maximum_requests" });
  socket.destroyed = true;
  control.abort("d");
  assert.equal(socket.written.length, 4);
});
