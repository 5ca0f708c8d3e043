import { test } from "node:test";
import assert from "node:assert/strict";
import { SessionTimers } from "../../../src/daemon/session-timers.js";

/** SessionTimers on node:test's mock clock; `slow` plays the client holding it back. */
function timers(requestTimeoutMs: number, socketTimeoutMs: number) {
  const fired: string[] = [];
  const state = { slow: false };
  const session = new SessionTimers<string>(
    { now: () => Date.now(), requestTimeoutMs, socketTimeoutMs },
    () => state.slow,
    (why, owner) => {
      fired.push(`${owner}: ${why}`);
    },
  );
  return { session, fired, state };
}

test("--request-timeout fires at the millisecond, for the channel it was armed for", (t) => {
  t.mock.timers.enable({ apis: ["setTimeout", "Date"] });
  const { session, fired } = timers(10_000, 0);
  session.arm("channel 1");
  t.mock.timers.tick(9_999);
  assert.deepEqual(fired, []);
  t.mock.timers.tick(1);
  assert.deepEqual(fired, ["channel 1: ran longer than --request-timeout"]);
});

test("--socket-timeout counts silence: each frame heard starts it again", (t) => {
  t.mock.timers.enable({ apis: ["setTimeout", "Date"] });
  const { session, fired } = timers(0, 1_000);
  session.arm("c");
  t.mock.timers.tick(900);
  session.heard();
  t.mock.timers.tick(999);
  assert.deepEqual(fired, []);
  t.mock.timers.tick(1);
  assert.deepEqual(fired, ["c: got nothing from the daemon for --socket-timeout"]);
});

test("silence while the client holds the response back does not count", (t) => {
  t.mock.timers.enable({ apis: ["setTimeout", "Date"] });
  const { session, fired, state } = timers(0, 1_000);
  session.arm("c");
  state.slow = true;
  t.mock.timers.tick(5_000);
  assert.deepEqual(fired, []);
  // The client caught up: a full period of silence from then on.
  state.slow = false;
  t.mock.timers.tick(999);
  assert.deepEqual(fired, []);
  t.mock.timers.tick(1);
  assert.equal(fired.length, 1);
});

test("clear() stops both clocks, and 0 turns each off", (t) => {
  t.mock.timers.enable({ apis: ["setTimeout", "Date"] });
  const both = timers(100, 100);
  both.session.arm("c");
  t.mock.timers.tick(50);
  both.session.clear();
  t.mock.timers.tick(1_000);
  assert.deepEqual(both.fired, []);
  const none = timers(0, 0);
  none.session.arm("c");
  t.mock.timers.tick(60_000);
  assert.deepEqual(none.fired, []);
});

test("arming again (a request written ahead that starts) restarts the deadline", (t) => {
  t.mock.timers.enable({ apis: ["setTimeout", "Date"] });
  const { session, fired } = timers(1_000, 0);
  session.arm("first");
  t.mock.timers.tick(600);
  session.arm("second");
  t.mock.timers.tick(600);
  assert.deepEqual(fired, []);
  t.mock.timers.tick(400);
  assert.deepEqual(fired, ["second: ran longer than --request-timeout"]);
});
