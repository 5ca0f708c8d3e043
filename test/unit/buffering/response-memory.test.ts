import { test } from "node:test";
import assert from "node:assert/strict";
import { ResponseMemory } from "../../../src/buffering/response-memory.js";

test("writes count until their callbacks run, across responses", () => {
  const memory = new ResponseMemory(100);
  const a = memory.share();
  const b = memory.share();
  const doneA = a.hold(60, null);
  const doneB = b.hold(50, null);
  assert.equal(memory.inUse, 110);
  assert.equal(memory.full, true);
  doneA();
  assert.equal(memory.inUse, 50);
  assert.equal(memory.full, false);
  doneB();
  assert.equal(memory.inUse, 0);
});

test("a write's callback runs what it was given after giving the bytes back", () => {
  const memory = new ResponseMemory(10);
  let repaid = 0;
  const done = memory.share().hold(8, () => {
    repaid += 1;
    assert.equal(memory.inUse, 0);
  });
  done();
  assert.equal(repaid, 1);
});

test("a closed response gives back what its lost callbacks still held, once", () => {
  const memory = new ResponseMemory(10);
  const share = memory.share();
  const late = share.hold(7, null);
  share.hold(5, null); // a callback that never runs
  share.close();
  assert.equal(memory.inUse, 0);
  late();
  share.close();
  assert.equal(memory.inUse, 0);
});

test("a cap of 0 is full as soon as anything waits", () => {
  const memory = new ResponseMemory(0);
  assert.equal(memory.full, false);
  memory.share().hold(1, null);
  assert.equal(memory.full, true);
});
