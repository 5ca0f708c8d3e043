/** Issue #25: the embedded workers' supervision, on fake workers and mock timers. */
import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import { afterEach, beforeEach, mock, test } from "node:test";
import type { ToWorker } from "../../../src/embedded/worker-messages.js";
import { WorkerSet, type Ready } from "../../../src/embedded/worker-set.js";
import { ErrorLog } from "../../../src/log/error-log.js";
import { systemTimers, type Timers } from "../../../src/process/timers.js";

beforeEach(() => {
  mock.timers.enable({ apis: ["setTimeout", "Date"] });
});
afterEach(() => {
  mock.timers.reset();
});

let nextPid = 100;

class FakeWorker extends EventEmitter {
  readonly pid = nextPid++;
  readonly sent: ToWorker[] = [];
  readonly killed: string[] = [];
  send(message: ToWorker): void {
    this.sent.push(message);
  }
  kill(signal: NodeJS.Signals): void {
    this.killed.push(signal);
    this.exit(null, signal);
  }
  ready(port = 8000): void {
    const report: Ready = {
      type: "ready",
      port,
      app: { loaded: true, error: null },
      python: { version: "3.11.7", prefix: "/p", executable: "/p/bin/python" },
    };
    this.emit("message", report);
  }
  exit(code: number | null, signal: string | null): void {
    this.emit("exit", code, signal);
  }
}

function fixture(count: number): { set: WorkerSet; spawned: FakeWorker[]; log: string[] } {
  const log: string[] = [];
  const spawned: FakeWorker[] = [];
  const timers: Timers = { ...systemTimers, now: () => Date.now() };
  const errorLog = new ErrorLog({ write: (line: string) => log.push(line) }, "info");
  const set = new WorkerSet(
    count,
    () => {
      const worker = new FakeWorker();
      spawned.push(worker);
      return worker;
    },
    errorLog,
    timers,
    { gracefulTimeout: 15, evictionTimeout: 0, shutdownTimeout: 5 },
  );
  return { set, spawned, log };
}

test("start resolves with the first report once every worker is ready", async () => {
  const { set, spawned } = fixture(2);
  const started = set.start();
  assert.equal(spawned.length, 2);
  spawned[1]?.ready(8123);
  spawned[0]?.ready(8123);
  const result = await started;
  assert.ok(typeof result !== "string");
  assert.equal(result.port, 8123);
  assert.deepEqual(
    set.pids,
    spawned.map((worker) => worker.pid),
  );
});

test("a worker that fails or dies before it is ready fails the start", async () => {
  const failing = fixture(2);
  const first = failing.set.start();
  failing.spawned[0]?.emit("message", { type: "failed", message: "no libpython" });
  assert.equal(await first, "no libpython");
  const dying = fixture(1);
  const second = dying.set.start();
  dying.spawned[0]?.exit(null, "SIGSEGV");
  const message = await second;
  assert.equal(typeof message, "string");
  assert.match(message as string, /exited with signal SIGSEGV before it was ready/);
});

test("workers that do not load the app within the startup timeout fail the start", async () => {
  const { set, spawned } = fixture(2);
  const started = set.start(15_000);
  spawned[0]?.ready();
  mock.timers.tick(15_000);
  const result = await started;
  assert.equal(typeof result, "string");
  assert.match(result as string, /did not load the application within --startup-timeout \(15 s\)/);
  spawned[1]?.ready();
});

test("a crash is logged with its signal and replaced, with back-off when quick", async () => {
  const { set, spawned, log } = fixture(2);
  const started = set.start();
  for (const worker of spawned) worker.ready();
  await started;
  mock.timers.tick(5_000);
  spawned[0]?.exit(null, "SIGABRT");
  assert.match(log.join(""), /embedded worker \d+ exited with signal SIGABRT; .*; restarting\n/);
  assert.equal(spawned.length, 3, "replaced at once after a long life");
  spawned[2]?.ready();
  // Dies at once: the next replacement waits.
  spawned[2]?.exit(7, null);
  assert.match(log.join(""), /exited with status 7; .*restarting in 0\.1s/);
  assert.equal(spawned.length, 3);
  mock.timers.tick(100);
  assert.equal(spawned.length, 4);
});

test("stop asks each worker to stop, kills the ones left at the deadline", async () => {
  const { set, spawned } = fixture(2);
  const started = set.start();
  for (const worker of spawned) worker.ready();
  await started;
  const stopped = set.stop(1_000);
  for (const worker of spawned) assert.deepEqual(worker.sent, [{ type: "stop" }]);
  spawned[0]?.exit(0, null);
  mock.timers.tick(1_000);
  await stopped;
  assert.deepEqual(spawned[1]?.killed, ["SIGKILL"]);
  assert.equal(spawned.length, 2, "no replacement while stopping");
});
