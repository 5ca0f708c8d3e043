import { test } from "node:test";
import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import type { Socket } from "node:net";
import { ControlChannel } from "../../../src/daemon/control-channel.js";
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
    onProblem: (message) => seen.push(`problem ${message}`),
  });
  return { socket, seen, control };
}

const json = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));

test("heartbeats and recycle requests reach the pool", () => {
  const { socket, seen } = channel();
  socket.emit(
    "data",
    Buffer.concat([
      encodeFrame(FrameType.HEARTBEAT),
      encodeFrame(FrameType.RECYCLE, json({ reason: "cpu_time_limit" })),
    ]),
  );
  assert.deepEqual(seen, ["heartbeat", "recycle cpu_time_limit"]);
});

test("a malformed recycle or an unexpected frame closes the control connection", () => {
  for (const frame of [
    encodeFrame(FrameType.RECYCLE, json({ reason: "Not A Reason\n" })),
    encodeFrame(FrameType.RESPONSE_END),
  ]) {
    const { socket, seen } = channel();
    socket.emit("data", frame);
    assert.equal(seen.length, 1);
    assert.match(seen[0] ?? "", /^problem control connection: /);
    assert.equal(socket.destroyed, true);
  }
});

test("abort, interrupt and shutdown are written as their frames", () => {
  const { socket, control } = channel();
  control.abort("a");
  control.interrupt("b");
  control.shutdown("maximum_requests");
  const types = socket.written.map((frame) => frame[0]);
  assert.deepEqual(types, [FrameType.ABORT, FrameType.INTERRUPT, FrameType.SHUTDOWN]);
  assert.deepEqual(JSON.parse(socket.written[2]?.subarray(5).toString() ?? ""), {
    reason: "maximum_requests",
  });
  socket.destroyed = true;
  control.abort("c");
  assert.equal(socket.written.length, 3);
});
