/**
 * Fuzzes the frame decoder and the message decoders (issue #7 item 6): random, truncated,
 * oversized and out-of-order input ends in frames or a ProtocolError, never another
 * exception, a hang or unbounded buffering. Bounded for CI (FUZZ_MS, default 1500 ms);
 * run longer by hand: FUZZ_MS=60000 node --test dist/test/unit/protocol/frames-fuzz.test.js
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  FrameDecoder,
  FrameType,
  HEADER_SIZE,
  MAX_PAYLOAD,
  ProtocolError,
  encodeFrame,
} from "../../../src/protocol/frames.js";
import {
  decodeErrorMessage,
  decodeHello,
  decodeResponseHead,
} from "../../../src/protocol/messages.js";

const FUZZ_MS = Number(process.env.FUZZ_MS ?? 1500);
const MIN_RUNS = 200;

/** mulberry32: a seeded PRNG, so a failure can be replayed from its seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TYPES = Object.values(FrameType) as number[];

function randomInput(random: () => number): Buffer {
  const int = (n: number): number => Math.floor(random() * n);
  const parts: Buffer[] = [];
  for (let i = int(6); i >= 0; i -= 1) {
    const kind = int(5);
    if (kind === 0) parts.push(Buffer.from(Array.from({ length: int(64) }, () => int(256))));
    else if (kind === 1) {
      const type = TYPES[int(TYPES.length)] ?? 1;
      parts.push(
        encodeFrame(
          type as FrameType,
          Buffer.from(JSON.stringify({ status: "200 OK", headers: [["a", "b"]] })),
        ),
      );
    } else if (kind === 2) {
      const header = Buffer.alloc(HEADER_SIZE);
      header.writeUInt8(TYPES[int(TYPES.length)] ?? 1, 0);
      header.writeUInt32BE(MAX_PAYLOAD + 1 + int(1000), 1);
      parts.push(header);
    } else if (kind === 3) {
      const frame = encodeFrame(FrameType.RESPONSE_BODY, Buffer.alloc(int(300), int(256)));
      parts.push(frame.subarray(0, int(frame.length)));
    } else {
      parts.push(encodeFrame(int(256) as FrameType));
    }
  }
  return Buffer.concat(parts);
}

function feed(decoder: FrameDecoder, input: Buffer, random: () => number): void {
  for (let offset = 0; offset < input.length;) {
    const size = 1 + Math.floor(random() * 40);
    for (const frame of decoder.push(input.subarray(offset, offset + size))) {
      for (const decode of [decodeHello, decodeResponseHead, decodeErrorMessage]) {
        try {
          decode(frame.payload);
        } catch (error) {
          if (!(error instanceof ProtocolError)) throw error;
        }
      }
    }
    offset += size;
  }
}

test("the frame and message decoders survive random input", () => {
  const deadline = Date.now() + FUZZ_MS;
  let runs = 0;
  // At least MIN_RUNS inputs however slow the machine; more while time is left.
  const more = (): boolean => runs < MIN_RUNS || (Date.now() < deadline && runs < 1_000_000);
  for (let seed = 1; more(); seed += 1, runs += 1) {
    const random = prng(seed);
    const decoder = new FrameDecoder();
    try {
      feed(decoder, randomInput(random), random);
    } catch (error) {
      assert.ok(error instanceof ProtocolError, `seed ${seed}: ${String(error)}`);
    }
    // Never more buffered than one frame's worth: a truncated frame waits, nothing grows.
    assert.ok(decoder.bufferedBytes <= HEADER_SIZE + MAX_PAYLOAD, `seed ${seed}`);
  }
});
