/**
 * The supervisor's rules over fake processes on mock timers: the crash back-off,
 * eviction on SIGUSR1, the recycle rules, the drain then the forced kill, and the
 * queue sweep. Each test moves the clock by hand; nothing sleeps.
 */
import { afterEach, beforeEach, mock, test } from "node:test";
import assert from "node:assert/strict";
import { request, settle, World } from "./supervision-fakes.js";

/** Moves the clock by `ms`, then lets the loop finish what the timers posted (the
 *  once-a-second check is async, and events posted meanwhile wait for it). */
async function advance(world: World, ms: number): Promise<void> {
  mock.timers.tick(ms);
  await settle(world);
}

beforeEach(() => {
  mock.timers.enable({ apis: ["setTimeout", "setInterval", "Date"] });
});
afterEach(() => {
  mock.timers.reset();
});

test("a crash loop is restarted after a doubling delay, reset by a process that lived", async () => {
  const world = await World.start();
  const delays: string[] = [];
  for (let crash = 0; crash < 4; crash++) {
    const child = world.children.at(-1);
    child?.exit(1);
    await settle(world);
    const line = world.lines.at(-1) ?? "";
    delays.push(/restarting in ([\d.]+)s/.exec(line)?.[1] ?? line);
    const count = world.children.length;
    mock.timers.tick(Number(delays.at(-1)) * 1000 - 1);
    assert.equal(world.children.length, count, "restarted before its delay");
    await advance(world, 1);
    assert.equal(world.children.length, count + 1, "not restarted after its delay");
  }
  assert.deepEqual(delays, ["0.1", "0.2", "0.4", "0.8"]);
  await advance(world, 2_001);
  world.children.at(-1)?.exit(1);
  await settle(world);
  assert.match(world.lines.at(-1) ?? "", /exited with status 1; restarting\n$/);
  assert.deepEqual(world.processes.appStatus, {
    loaded: false,
    error: "daemon process exited with status 1",
  });
});

test("a daemon that cannot take on its --user/--group is not restarted: the server stops", async () => {
  const world = await World.start();
  world.children[0]?.exit(4);
  await advance(world, 20_000);
  assert.equal(world.children.length, 1);
  assert.match(world.fatal[0] ?? "", /could not take on its --user\/--group/);
});

test("SIGUSR1 with --eviction-timeout: replaced, old requests get the eviction window", async () => {
  const world = await World.start(["--eviction-timeout", "3", "--graceful-timeout", "15"]);
  const old = world.serving();
  const control = world.report(old);
  world.thread(old, true);
  world.supervisor.post({ type: "signal", signal: "SIGUSR1" });
  assert.equal(world.logged(/caught SIGUSR1, restarting the daemon processes gracefully/), 1);
  assert.equal(world.logged(/recycling daemon process \d+ \(SIGUSR1\)/), 1);
  assert.equal(world.children.length, 2);
  assert.equal(old.state, "ready", "stops taking requests before its replacement is ready");
  world.report(world.serving());
  assert.equal(old.state, "draining");
  await advance(world, 2_999);
  assert.deepEqual(control.shutdowns, []);
  await advance(world, 1);
  assert.deepEqual(control.shutdowns, ["eviction_signal"]);
  assert.equal(old.state, "stopping");
});

test("SIGUSR1 sent to one daemon follows the same eviction rule; without it, --graceful-timeout", async () => {
  const evicting = await World.start(["--eviction-timeout", "3"]);
  const one = evicting.serving();
  evicting.report(one);
  evicting.supervisor.post({ type: "asked", daemon: one, reason: "graceful_signal" });
  assert.equal(one.retiring, "eviction_signal");
  assert.equal(one.drainSeconds, 3);
  const plain = await World.start(["--graceful-timeout", "7"]);
  const two = plain.serving();
  plain.report(two);
  plain.supervisor.post({ type: "signal", signal: "SIGUSR1" });
  assert.equal(two.retiring, "graceful_signal");
  assert.equal(two.drainSeconds, 7);
});

test("SIGHUP: every process replaced, its requests get no drain time", async () => {
  const world = await World.start(["--processes", "2"]);
  const olds = [world.serving(0), world.serving(1)];
  const controls = olds.map((daemon) => world.report(daemon));
  for (const daemon of olds) world.thread(daemon, true);
  world.supervisor.post({ type: "signal", signal: "SIGHUP" });
  assert.equal(world.children.length, 4);
  world.report(world.serving(0));
  world.report(world.serving(1));
  await advance(world, 0);
  assert.deepEqual(
    controls.map((control) => control.shutdowns),
    [["restart_signal"], ["restart_signal"]],
  );
});

test("--maximum-requests: the request that reaches it starts the replacement", async () => {
  const world = await World.start(["--maximum-requests", "2"]);
  const daemon = world.serving();
  world.report(daemon);
  daemon.countRequest(Date.now(), true);
  world.supervisor.afterRequest(daemon);
  assert.equal(world.children.length, 1);
  daemon.countRequest(Date.now(), true);
  world.supervisor.afterRequest(daemon);
  world.supervisor.afterRequest(daemon);
  assert.equal(world.children.length, 2, "one replacement, however often it is asked");
  assert.equal(world.logged(/recycling daemon process \d+ \(--maximum-requests\)/), 1);
});

test("--restart-interval: replaced once it has run that long", async () => {
  const world = await World.start(["--restart-interval", "5"]);
  world.report(world.serving());
  await advance(world, 4_000);
  assert.equal(world.children.length, 1);
  await advance(world, 1_000);
  assert.equal(world.logged(/\(--restart-interval\): starting its replacement/), 1);
  assert.equal(world.children.length, 2);
});

test("--inactivity-timeout: the clock starts at the first request and counts idle time only", async () => {
  const world = await World.start(["--inactivity-timeout", "3"]);
  const daemon = world.serving();
  world.report(daemon);
  await advance(world, 10_000);
  assert.equal(world.children.length, 1, "recycled before its first request");
  daemon.noteActivity(Date.now());
  await advance(world, 2_000);
  assert.equal(world.children.length, 1);
  await advance(world, 1_000);
  assert.equal(world.logged(/\(--inactivity-timeout\)/), 1);
});

test("--memory-limit: a process whose RSS passes it is replaced, and the log says how big", async () => {
  const world = await World.start(["--memory-limit", "1000000"]);
  const daemon = world.serving();
  world.report(daemon);
  world.rss.set(daemon.pid, 900_000);
  await advance(world, 1_000);
  assert.equal(world.children.length, 1);
  world.rss.set(daemon.pid, 2_000_000);
  await advance(world, 1_000);
  assert.equal(
    world.logged(/uses 2000000 bytes of memory \(RSS\), over --memory-limit 1000000/),
    1,
  );
  assert.equal(world.logged(/\(--memory-limit\): starting its replacement/), 1);
});

test("a recycle drains for --graceful-timeout, then --shutdown-timeout, then SIGKILL, logged once", async () => {
  const world = await World.start([
    ...["--maximum-requests", "1", "--graceful-timeout", "2", "--shutdown-timeout", "3"],
  ]);
  const old = world.serving();
  const control = world.report(old);
  world.thread(old, true);
  const child = world.children[0];
  if (!child) throw new Error("no child");
  child.obeysTerm = false;
  old.countRequest(Date.now(), true);
  world.supervisor.afterRequest(old);
  world.report(world.serving());
  await advance(world, 1_999);
  assert.deepEqual(control.shutdowns, []);
  await advance(world, 1);
  assert.deepEqual(control.shutdowns, ["maximum_requests"]);
  await advance(world, 2_999);
  assert.deepEqual(child.signals, []);
  await advance(world, 1);
  assert.deepEqual(child.signals, ["SIGKILL"]);
  assert.equal(world.logged(/did not exit within 3s of being told to stop; killed it/), 1);
  assert.equal(old.state, "gone");
  assert.equal(
    world.logged(new RegExp(`daemon process ${old.pid} stopped \\(maximum_requests\\)`)),
    1,
  );
  assert.equal(world.children.length, 2, "a replaced process is not restarted");
});

test("a request stuck past --interrupt-timeout gets its process recycled", async () => {
  const world = await World.start(["--request-timeout", "5", "--interrupt-timeout", "2"]);
  const daemon = world.serving();
  const control = world.report(daemon);
  const channel = world.thread(daemon, true);
  world.supervisor.interrupt(daemon, channel, "r1");
  assert.deepEqual(control.interrupts, ["r1"]);
  await advance(world, 2_000);
  assert.equal(daemon.retiring, "request_timeout");
});

test("--startup-timeout: a process that never reports is killed and restarted", async () => {
  const world = await World.start(["--startup-timeout", "4"]);
  const daemon = world.serving();
  await advance(world, 4_000);
  assert.equal(world.logged(/did not load the application within 4s \(--startup-timeout\)/), 1);
  assert.deepEqual(world.children[0]?.signals, ["SIGKILL"]);
  await advance(world, 10_000);
  assert.equal(daemon.state, "gone");
  assert.equal(world.children.length, 2);
});

test("the queue sweep: --connect-timeout while no daemon is ready (503)", async () => {
  const world = await World.start(["--connect-timeout", "1", "--queue-timeout", "10"]);
  const waiting = request();
  world.threads.dispatch(waiting);
  await advance(world, 1_000);
  assert.deepEqual(waiting.expired, []);
  await advance(world, 250);
  assert.deepEqual(waiting.expired, [503]);
});

test("the queue sweep: --queue-timeout while every thread is busy (504)", async () => {
  const world = await World.start(["--connect-timeout", "1", "--queue-timeout", "2"]);
  const daemon = world.serving();
  world.report(daemon);
  world.thread(daemon, true);
  const waiting = request();
  world.threads.dispatch(waiting);
  await advance(world, 2_000);
  assert.deepEqual(waiting.expired, [], "answered 503 though a daemon is ready");
  await advance(world, 250);
  assert.deepEqual(waiting.expired, [504]);
});

test("a daemon that loses a thread's connection gets no new request on its other threads", async () => {
  const world = await World.start(["--processes", "2", "--threads", "2"]);
  const [dying, healthy] = [world.serving(0), world.serving(1)];
  world.report(dying);
  world.report(healthy);
  const first = world.thread(dying, false, 1);
  const second = world.thread(dying, false, 2);
  // The other process's only thread is busy: without the rule, a request would go to
  // the dying daemon's second thread, idle only because its close is not seen yet.
  world.thread(healthy, true, 1);
  first.close("connection closed");
  const next = request();
  const started: string[] = [];
  next.start = (channel) => started.push(`${String(channel.pid)}/${String(channel.thread)}`);
  world.threads.dispatch(next);
  assert.deepEqual(started, [], "given to a thread of a daemon that lost one");
  assert.equal(world.threads.queuedCount, 1);
  assert.equal(world.logged(/lost thread 1 of daemon \d+: connection closed; no new requests/), 1);
  assert.equal(dying.acceptsRequests, false);
  // Idle, it is asked to stop; its exit is then a crash like any other, and restarted.
  assert.deepEqual(world.controls.get(dying.pid)?.shutdowns.length, 1);
  second.close("connection closed");
  world.children[0]?.exit(null, "SIGSEGV");
  await settle(world);
  assert.equal(world.logged(/exited with signal SIGSEGV; restarting/), 1);
});
