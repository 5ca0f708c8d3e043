import { test } from "node:test";
import assert from "node:assert/strict";
import { READ_BUFFER_SIZE, ReadBufferPool } from "../../../src/daemon/read-buffer-pool.js";

test("a socket keeps reading into its buffer while nothing of it is on loan", () => {
  const pool = new ReadBufferPool();
  const buffer = pool.take();
  assert.equal(buffer.length, READ_BUFFER_SIZE);
  assert.equal(pool.next(buffer), buffer);
});

test("a lent buffer is not read into again until every loan is repaid", () => {
  const pool = new ReadBufferPool();
  const first = pool.take();
  const repayA = pool.lend(first.subarray(0, 100));
  const repayB = pool.lend(first.subarray(100, 200));
  assert.ok(repayA && repayB);
  const second = pool.next(first);
  assert.notEqual(second.buffer, first.buffer);
  // Another socket must not get it while a loan is out.
  const third = pool.take();
  assert.notEqual(third.buffer, first.buffer);
  repayA();
  repayA(); // a second call changes nothing
  assert.equal(pool.freeCount, 0);
  repayB();
  assert.equal(pool.freeCount, 1);
  assert.equal(pool.take().buffer, first.buffer);
});

test("a loan repaid before the next read leaves the buffer with its socket", () => {
  const pool = new ReadBufferPool();
  const buffer = pool.take();
  pool.lend(buffer.subarray(0, 10))?.();
  assert.equal(pool.next(buffer), buffer);
  assert.equal(pool.freeCount, 0);
});

test("a closed socket's buffer comes back when its loans are repaid, not before", () => {
  const pool = new ReadBufferPool();
  const buffer = pool.take();
  const repay = pool.lend(buffer.subarray(5, 50));
  pool.drop(buffer);
  assert.equal(pool.freeCount, 0);
  repay?.();
  assert.equal(pool.freeCount, 1);
  const idle = pool.take();
  pool.drop(idle);
  assert.equal(pool.freeCount, 1);
});

test("a piece of memory the pool did not give out needs no loan", () => {
  assert.equal(new ReadBufferPool().lend(Buffer.from("elsewhere")), null);
});
