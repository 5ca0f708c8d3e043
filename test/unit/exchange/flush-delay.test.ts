import { test } from "node:test";
import assert from "node:assert/strict";
import { FLUSH_LIMIT, FlushDelay } from "../../../src/exchange/flush-delay.js";

/** A stream that records its corks and uncorks. */
function recorder() {
  const calls: string[] = [];
  return { calls, stream: { cork: () => calls.push("cork"), uncork: () => calls.push("uncork") } };
}

test("pieces arriving within the delay of each other are held until it passes quietly", (t) => {
  t.mock.timers.enable({ apis: ["setTimeout"] });
  const { calls, stream } = recorder();
  const delay = new FlushDelay(stream, 5);
  for (let i = 0; i < 3; i++) {
    delay.before();
    delay.after(10);
    t.mock.timers.tick(4);
  }
  assert.deepEqual(calls, ["cork"], "each piece restarts the wait");
  t.mock.timers.tick(1);
  assert.deepEqual(calls, ["cork", "uncork"]);
  delay.before();
  assert.deepEqual(calls, ["cork", "uncork", "cork"], "the next stall holds again");
  delay.release();
  delay.release();
  assert.deepEqual(calls, ["cork", "uncork", "cork", "uncork"], "released once");
  t.mock.timers.tick(10);
  assert.equal(calls.length, 4, "no timer is left behind");
});

test("at FLUSH_LIMIT bytes held, they go out without waiting", (t) => {
  t.mock.timers.enable({ apis: ["setTimeout"] });
  const { calls, stream } = recorder();
  const delay = new FlushDelay(stream, 5);
  delay.before();
  delay.after(FLUSH_LIMIT - 1);
  delay.before();
  delay.after(1);
  assert.deepEqual(calls, ["cork", "uncork"]);
  t.mock.timers.tick(5);
  assert.deepEqual(calls, ["cork", "uncork"]);
});

test("a delay of 0 holds nothing", (t) => {
  t.mock.timers.enable({ apis: ["setTimeout"] });
  const { calls, stream } = recorder();
  const delay = new FlushDelay(stream, 0);
  delay.before();
  delay.after(10);
  delay.release();
  t.mock.timers.tick(5);
  assert.deepEqual(calls, []);
});
