/**
 * The pieces under the supervisor: the process states, the one terminate step (daemons
 * and services), and the loop that handles one event at a time.
 */
import { afterEach, beforeEach, mock, test } from "node:test";
import assert from "node:assert/strict";
import { EventQueue } from "../../../src/lifecycle/event-queue.js";
import { canMove, move } from "../../../src/lifecycle/process-state.js";
import { Termination } from "../../../src/process/terminate.js";
import { systemTimers } from "../../../src/process/timers.js";
import { FakeChild, World } from "./supervision-fakes.js";

beforeEach(() => {
  mock.timers.enable({ apis: ["setTimeout", "setInterval", "Date"] });
});
afterEach(() => {
  mock.timers.reset();
});

test("process states: forward only, and gone is final", () => {
  assert.ok(canMove("starting", "ready"));
  assert.ok(canMove("ready", "draining"));
  assert.ok(canMove("draining", "stopping"));
  assert.ok(canMove("stopping", "gone"));
  assert.ok(canMove("starting", "gone"));
  for (const [from, to] of [
    ["ready", "starting"],
    ["draining", "ready"],
    ["stopping", "draining"],
    ["gone", "ready"],
    ["gone", "stopping"],
  ] as const) {
    assert.equal(canMove(from, to), false, `${from} -> ${to}`);
    assert.throws(() => move(from, to), /cannot go from/);
  }
});

test("a daemon's state follows its life; stop and kill are idempotent", async () => {
  const world = await World.start(["--shutdown-timeout", "2"]);
  const daemon = world.serving();
  assert.equal(daemon.state, "starting");
  const control = world.report(daemon);
  assert.equal(daemon.state, "ready");
  daemon.drain();
  assert.equal(daemon.state, "draining");
  assert.equal(daemon.acceptsRequests, false);
  daemon.stop(2, "maximum_requests");
  daemon.stop(2, "again");
  assert.deepEqual(control.shutdowns, ["maximum_requests"]);
  assert.equal(daemon.state, "stopping");
  world.children[0]?.exit(0);
  assert.equal(daemon.state, "gone");
  daemon.kill();
  daemon.drain();
  assert.equal(daemon.state, "gone");
  assert.deepEqual(world.children[0]?.signals, []);
});

test("terminate: SIGTERM, then SIGKILL after the grace period, recorded and told once", () => {
  const child = new FakeChild();
  child.obeysTerm = false;
  const forced: number[] = [];
  const termination = new Termination(child, systemTimers, (ms) => forced.push(ms));
  termination.begin(3000);
  termination.begin(3000);
  assert.deepEqual(child.signals, ["SIGTERM"]);
  mock.timers.tick(2999);
  assert.equal(termination.forced, false);
  mock.timers.tick(1);
  assert.deepEqual(child.signals, ["SIGTERM", "SIGKILL"]);
  assert.equal(termination.forced, true);
  assert.deepEqual(forced, [3000]);
});

test("terminate: a child that exits in time is not killed", () => {
  const child = new FakeChild();
  const forced: number[] = [];
  const termination = new Termination(child, systemTimers, (ms) => forced.push(ms));
  termination.begin(3000);
  mock.timers.tick(10_000);
  assert.deepEqual(child.signals, ["SIGTERM"]);
  assert.equal(termination.forced, false);
  assert.deepEqual(forced, []);
});

test("the loop handles one event at a time: an async handler is finished before the next", async () => {
  const seen: string[] = [];
  let finish: () => void = () => undefined;
  const loop = new EventQueue<string>(
    (event) => {
      seen.push(`start ${event}`);
      if (event !== "slow") return;
      return new Promise<void>((resolve) => {
        finish = () => {
          seen.push("end slow");
          resolve();
        };
      });
    },
    () => undefined,
  );
  loop.post("slow");
  loop.post("exit");
  loop.post("sweep");
  assert.deepEqual(seen, ["start slow"]);
  finish();
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(seen, ["start slow", "end slow", "start exit", "start sweep"]);
  assert.equal(loop.busy, false);
  loop.post("now");
  assert.equal(seen.at(-1), "start now", "an event posted to an idle loop is handled at once");
});

test("the loop goes on after a handler throws", () => {
  const errors: unknown[] = [];
  const seen: string[] = [];
  const loop = new EventQueue<string>(
    (event) => {
      if (event === "bad") throw new Error("bad");
      seen.push(event);
    },
    (error) => errors.push(error),
  );
  loop.post("bad");
  loop.post("good");
  assert.equal(errors.length, 1);
  assert.deepEqual(seen, ["good"]);
});
