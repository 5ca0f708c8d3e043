import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { shutdownDelay } from "../../../src/lifecycle/shutdown-delay.js";

const mockTimers = (t: TestContext): void => {
  t.mock.timers.enable({ apis: ["setTimeout"] });
};

/** Whether `promise` has settled, after pending microtasks ran. */
async function settled(promise: Promise<void>): Promise<boolean> {
  let done = false;
  void promise.then(() => (done = true));
  for (let i = 0; i < 5; i++) await Promise.resolve();
  return done;
}

test("0 seconds: no delay at all", async () => {
  assert.equal(await settled(shutdownDelay(0, new Promise(() => undefined))), true);
});

test("the delay ends after the given seconds, not before", async (t) => {
  mockTimers(t);
  const delay = shutdownDelay(5, new Promise(() => undefined));
  t.mock.timers.tick(4999);
  assert.equal(await settled(delay), false);
  t.mock.timers.tick(1);
  assert.equal(await settled(delay), true);
});

test("a second signal ends the delay at once", async (t) => {
  mockTimers(t);
  let force: () => void = () => undefined;
  const forced = new Promise<void>((resolve) => (force = resolve));
  const delay = shutdownDelay(30, forced);
  t.mock.timers.tick(1000);
  assert.equal(await settled(delay), false);
  force();
  assert.equal(await settled(delay), true);
});
