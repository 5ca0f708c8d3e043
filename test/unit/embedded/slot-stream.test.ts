/** Issue #25: a slot dressed as a daemon socket, on a fake addon. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { DAEMON_READ } from "../../../src/daemon/daemon-socket.js";
import {
  SLOT_CLOSE,
  SLOT_PAUSE,
  SLOT_RESUME,
  type EmbeddedAddon,
} from "../../../src/embedded/addon.js";
import { SlotStream } from "../../../src/embedded/slot-stream.js";

class FakeAddon implements EmbeddedAddon {
  readonly pushed: string[] = [];
  readonly controls: number[] = [];
  /** What push() answers: false says the slot is full. */
  room = true;
  start(): string {
    return "{}";
  }
  push(_slot: number, data: Buffer | readonly Buffer[]): boolean {
    this.pushed.push(Buffer.isBuffer(data) ? data.toString() : Buffer.concat(data).toString());
    return this.room;
  }
  control(_slot: number, what: number): void {
    this.controls.push(what);
  }
  finalize(): number | null {
    return null;
  }
}

test("uncorked writes are pushed at once; corked ones leave together at uncork", () => {
  const addon = new FakeAddon();
  const slot = new SlotStream(addon, 0);
  assert.equal(slot.write(Buffer.from("a")), true);
  assert.deepEqual(addon.pushed, ["a"]);
  slot.cork();
  slot.write(Buffer.from("b"));
  slot.write(Buffer.from("c"));
  assert.equal(slot.writableLength, 2);
  assert.deepEqual(addon.pushed, ["a"]);
  slot.uncork();
  assert.deepEqual(addon.pushed, ["a", "bc"]);
  assert.equal(slot.writableLength, 0);
  assert.equal(slot.setNoDelay(), slot);
});

test("a full slot holds later writes until its drain event, then 'drain' follows", () => {
  const addon = new FakeAddon();
  const slot = new SlotStream(addon, 1);
  let drains = 0;
  slot.on("drain", () => (drains += 1));
  addon.room = false;
  assert.equal(slot.write(Buffer.from("first")), true);
  const big = Buffer.alloc(20 * 1024, 120);
  assert.equal(slot.write(big), false, "past the high-water mark");
  assert.equal(slot.writableLength, big.length);
  assert.deepEqual(addon.pushed, ["first"]);
  addon.room = true;
  slot.drained();
  assert.equal(addon.pushed.length, 2);
  assert.equal(slot.writableLength, 0);
  assert.equal(drains, 1);
  slot.drained();
  assert.equal(drains, 1, "'drain' is owed only after a write returned false");
});

test("'drain' waits while the slot stays full after a push", () => {
  const addon = new FakeAddon();
  const slot = new SlotStream(addon, 1);
  let drains = 0;
  slot.on("drain", () => (drains += 1));
  slot.cork();
  slot.write(Buffer.alloc(20 * 1024));
  addon.room = false;
  slot.uncork();
  assert.equal(drains, 0);
  addon.room = true;
  slot.drained();
  assert.equal(drains, 1);
});

test("pause holds what Python sends and resume hands it on in order", () => {
  const addon = new FakeAddon();
  const slot = new SlotStream(addon, 2);
  const read: string[] = [];
  slot.on(DAEMON_READ, (piece: Buffer) => read.push(piece.toString()));
  slot.deliver(Buffer.from("1"));
  slot.pause();
  slot.pause();
  slot.deliver(Buffer.from("2"));
  slot.deliver(Buffer.from("3"));
  assert.deepEqual(read, ["1"]);
  slot.resume();
  slot.resume();
  assert.deepEqual(read, ["1", "2", "3"]);
  assert.deepEqual(addon.controls, [SLOT_PAUSE, SLOT_RESUME]);
});

test("destroy closes the slot once, drops what waits, and 'close' follows", async () => {
  const addon = new FakeAddon();
  const slot = new SlotStream(addon, 3);
  const closed = new Promise<void>((resolve) =>
    slot.once("close", () => {
      resolve();
    }),
  );
  slot.cork();
  slot.write(Buffer.from("lost"));
  slot.destroy();
  slot.destroy();
  assert.equal(slot.destroyed, true);
  assert.equal(slot.writableLength, 0);
  assert.equal(slot.write(Buffer.from("late")), false);
  slot.uncork();
  slot.deliver(Buffer.from("ignored"));
  await closed;
  assert.deepEqual(addon.pushed, []);
  assert.deepEqual(addon.controls, [SLOT_CLOSE]);
});
