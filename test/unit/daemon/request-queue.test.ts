import { test } from "node:test";
import assert from "node:assert/strict";
import { RequestQueue, type QueuedRequest } from "../../../src/daemon/request-queue.js";
import { RespawnBackoff } from "../../../src/process/respawn-backoff.js";

class Item implements QueuedRequest {
  expired = false;
  status = 0;
  wanted = true;
  constructor(readonly queuedAt: number) {}
  expire(status: 503 | 504): void {
    this.expired = true;
    this.status = status;
    this.wanted = false;
  }
}

test("requests come out oldest first", () => {
  let now = 0;
  const queue = new RequestQueue<Item>(1000, () => now);
  const a = new Item(0);
  const b = new Item(0);
  queue.push(a);
  queue.push(b);
  now = 10;
  assert.equal(queue.shift(), a);
  assert.equal(queue.shift(), b);
  assert.equal(queue.shift(), undefined);
});

test("a request past the queue timeout is expired, not dispatched", () => {
  let now = 0;
  const queue = new RequestQueue<Item>(1000, () => now);
  const late = new Item(0);
  const fresh = new Item(900);
  queue.push(late);
  queue.push(fresh);
  now = 1500;
  assert.equal(queue.shift(), fresh);
  assert.equal(late.expired, true);
});

test("the sweep expires late requests and keeps the rest", () => {
  let now = 0;
  const queue = new RequestQueue<Item>(1000, () => now);
  const late = new Item(0);
  const fresh = new Item(800);
  const gone = new Item(800);
  gone.wanted = false;
  for (const item of [late, fresh, gone]) queue.push(item);
  now = 1200;
  queue.expireLate();
  assert.equal(late.expired, true);
  assert.equal(fresh.expired, false);
  assert.equal(queue.length, 1);
});

test("a zero timeout never expires", () => {
  let now = 0;
  const queue = new RequestQueue<Item>(0, () => now);
  const item = new Item(0);
  queue.push(item);
  now = 1e9;
  assert.equal(queue.shift(), item);
});

test("respawn backoff grows for quick deaths and resets after a healthy run", () => {
  const backoff = new RespawnBackoff();
  assert.equal(backoff.next(100, 0), 100);
  assert.equal(backoff.next(100, 0), 200);
  assert.equal(backoff.next(100, 0), 400);
  assert.equal(backoff.next(60_000, 0), 0);
  assert.equal(backoff.next(100, 0), 100);
});

test("with no daemon ready, the sweep answers 503 to requests older than the connect timeout", () => {
  let now = 0;
  const queue = new RequestQueue<Item>(45_000, () => now);
  const old = new Item(0);
  const fresh = new Item(900);
  queue.push(old);
  queue.push(fresh);
  now = 1500;
  queue.expireLate(1000);
  assert.equal(old.status, 503);
  assert.equal(fresh.expired, false);
  queue.expireLate(0);
  assert.equal(fresh.expired, false);
  now = 50_000;
  queue.expireLate(0);
  assert.equal(fresh.status, 504);
});
