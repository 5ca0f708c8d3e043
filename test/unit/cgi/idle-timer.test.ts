import { test } from "node:test";
import assert from "node:assert/strict";
import { IdleTimer } from "../../../src/cgi/idle-timer.js";
import { systemTimers } from "../../../src/process/timers.js";

test("fires after the timeout of silence; output restarts it; a pause holds it", (t) => {
  t.mock.timers.enable({ apis: ["setTimeout"] });
  let fired = 0;
  const timer = new IdleTimer(systemTimers, 1000, () => (fired += 1));
  timer.restart();
  t.mock.timers.tick(900);
  timer.restart(); // output heard
  t.mock.timers.tick(900);
  assert.equal(fired, 0);
  timer.pause(); // the client is behind
  t.mock.timers.tick(5000);
  assert.equal(fired, 0);
  timer.restart(); // drained
  t.mock.timers.tick(1000);
  assert.equal(fired, 1);
  // Once fired (or stopped), it never starts again.
  timer.restart();
  t.mock.timers.tick(5000);
  assert.equal(fired, 1);
  const stopped = new IdleTimer(systemTimers, 10, () => (fired += 1));
  stopped.restart();
  stopped.stop();
  t.mock.timers.tick(100);
  assert.equal(fired, 1);
});
