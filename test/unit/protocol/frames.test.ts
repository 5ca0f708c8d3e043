import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import {
  FrameDecoder,
  MAX_PAYLOAD,
  ProtocolError,
  encodeFrame,
  type FrameType,
} from "../../../src/protocol/frames.js";

interface Vectors {
  maxPayload: number;
  valid: { name: string; type: number; payload: string; encoded: string }[];
  streams: { name: string; chunks: string[]; frames: [number, string][] }[];
  invalid: { name: string; bytes: string; error: string }[];
  truncated: { name: string; bytes: string }[];
}

// Shared with python/_wsgi_express's tests: both sides must agree byte for byte.
const vectorsPath = fileURLToPath(new URL("../../../../test/vectors/frames.json", import.meta.url));
const vectors = JSON.parse(readFileSync(vectorsPath, "utf8")) as Vectors;
const hex = (s: string): Buffer => Buffer.from(s, "hex");

test("the payload limit matches the shared vectors", () => {
  assert.equal(MAX_PAYLOAD, vectors.maxPayload);
});

for (const v of vectors.valid) {
  test(`encodes and decodes: ${v.name}`, () => {
    assert.equal(encodeFrame(v.type as FrameType, hex(v.payload)).toString("hex"), v.encoded);
    const frames = new FrameDecoder().push(hex(v.encoded));
    assert.equal(frames.length, 1);
    const [frame] = frames;
    assert.ok(frame);
    assert.equal(frame.type, v.type);
    assert.equal(frame.payload.toString("hex"), v.payload);
  });
}

for (const s of vectors.streams) {
  test(`reassembles a stream: ${s.name}`, () => {
    const decoder = new FrameDecoder();
    const frames = s.chunks.flatMap((chunk) => decoder.push(hex(chunk)));
    assert.deepEqual(
      frames.map((f) => [f.type, f.payload.toString("hex")]),
      s.frames,
    );
    assert.equal(decoder.bufferedBytes, 0);
  });
}

for (const v of vectors.invalid) {
  test(`rejects: ${v.name}`, () => {
    assert.throws(
      () => new FrameDecoder().push(hex(v.bytes)),
      (error: unknown) => error instanceof ProtocolError && error.reason === v.error,
    );
  });
}

for (const v of vectors.truncated) {
  test(`waits for the rest: ${v.name}`, () => {
    const decoder = new FrameDecoder();
    assert.deepEqual(decoder.push(hex(v.bytes)), []);
    assert.equal(decoder.bufferedBytes, hex(v.bytes).length);
  });
}

test("a large frame arriving in small pieces comes out whole and once", () => {
  const payload = Buffer.alloc(300_000, 7);
  const encoded = encodeFrame(0x12, payload);
  const decoder = new FrameDecoder();
  const frames = [];
  for (let i = 0; i < encoded.length; i += 65_536) {
    frames.push(...decoder.push(encoded.subarray(i, i + 65_536)));
  }
  assert.equal(frames.length, 1);
  assert.ok(frames[0]?.payload.equals(payload));
});

test("a streamed frame type comes out in pieces as its bytes arrive, without copies", () => {
  const payload = Buffer.alloc(300_000);
  for (let i = 0; i < payload.length; i++) payload[i] = i % 251;
  const encoded = Buffer.concat([
    encodeFrame(0x12, payload),
    encodeFrame(0x13),
    encodeFrame(0x12, Buffer.from("tail")),
  ]);
  const decoder = new FrameDecoder({ streamed: [0x12] });
  const frames = [];
  const chunks = [];
  for (let i = 0; i < encoded.length; i += 65_536) {
    const chunk = encoded.subarray(i, i + 65_536);
    chunks.push(chunk);
    const out = decoder.push(chunk);
    // Every piece is a view of the chunk that carried it.
    for (const frame of out.filter((f) => f.payload.length > 0)) {
      assert.equal(frame.payload.buffer, chunk.buffer);
    }
    frames.push(...out);
  }
  const bodies = frames.filter((f) => f.type === 0x12);
  assert.ok(bodies.length >= 5, `${String(bodies.length)} pieces`);
  assert.ok(
    Buffer.concat(bodies.map((f) => f.payload)).equals(
      Buffer.concat([payload, Buffer.from("tail")]),
    ),
  );
  assert.deepEqual(
    frames.filter((f) => f.type !== 0x12).map((f) => f.type),
    [0x13],
  );
  assert.equal(decoder.bufferedBytes, 0);
});

test("a streamed frame split inside its header still comes out whole in order", () => {
  const encoded = Buffer.concat([encodeFrame(0x12, Buffer.from("abcdef")), encodeFrame(0x13)]);
  for (let cut = 1; cut < encoded.length; cut++) {
    const decoder = new FrameDecoder({ streamed: [0x12] });
    const frames = [
      ...decoder.push(encoded.subarray(0, cut)),
      ...decoder.push(encoded.subarray(cut)),
    ];
    const body = Buffer.concat(frames.filter((f) => f.type === 0x12).map((f) => f.payload));
    assert.equal(body.toString(), "abcdef", `cut at ${String(cut)}`);
    assert.equal(frames.at(-1)?.type, 0x13);
  }
});

test("with copyHeld, frames come out right from a read buffer that is overwritten after each push", () => {
  const body = Buffer.alloc(200_000);
  for (let i = 0; i < body.length; i++) body[i] = i % 253;
  const head = Buffer.alloc(3_000, "h");
  const encoded = Buffer.concat([
    encodeFrame(0x11, head),
    encodeFrame(0x12, body),
    encodeFrame(0x13),
    encodeFrame(0x11, Buffer.from("second")),
  ]);
  for (const size of [3, 7, 1_000, 65_536]) {
    const decoder = new FrameDecoder({ streamed: [0x12], copyHeld: true });
    const readBuffer = Buffer.alloc(size);
    const seen: [number, Buffer][] = [];
    for (let i = 0; i < encoded.length; i += size) {
      const bytes = encoded.copy(readBuffer, 0, i, i + size);
      // A consumer uses each frame before it returns, as the channels do.
      for (const frame of decoder.push(readBuffer.subarray(0, bytes))) {
        seen.push([frame.type, Buffer.from(frame.payload)]);
      }
      readBuffer.fill(0xee); // the next read lands in the same memory
    }
    const payloadOf = (type: number): Buffer =>
      Buffer.concat(seen.filter(([t]) => t === type).map(([, p]) => p));
    assert.ok(payloadOf(0x12).equals(body), `body, ${String(size)}-byte reads`);
    assert.equal(
      payloadOf(0x11).toString(),
      head.toString() + "second",
      `${String(size)}-byte reads`,
    );
    assert.deepEqual(
      seen.filter(([t]) => t !== 0x12).map(([t]) => t),
      [0x11, 0x13, 0x11],
    );
  }
});
