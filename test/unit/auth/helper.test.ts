import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import {
  AuthHelper,
  type CheckOutcome,
  type CheckRequest,
  type HelperChild,
  type HelperEvents,
} from "../../../src/auth/helper.js";
import { systemTimers } from "../../../src/process/timers.js";

class FakeChild implements HelperChild {
  readonly sent: { id: number; hook: string; args: string[] }[] = [];
  stoppedWith: number | null = null;

  constructor(
    readonly pid: number,
    readonly startedAt: number,
    readonly events: HelperEvents,
  ) {}

  send(line: string): void {
    this.sent.push(JSON.parse(line) as { id: number; hook: string; args: string[] });
  }

  stop(graceMs: number): void {
    this.stoppedWith = graceMs;
  }

  answer(index: number, verdict: string, value: unknown = null): void {
    const id = this.sent[index]?.id;
    this.events.line(JSON.stringify({ id, verdict, value }));
  }
}

const REQUEST: CheckRequest = {
  hook: "check_password",
  script: "/srv/users.py",
  environ: { REQUEST_URI: "/" },
  args: ["alice", "secret"],
};

function setUp(t: TestContext) {
  t.mock.timers.enable({ apis: ["setTimeout", "Date"], now: 1_000_000 });
  const children: FakeChild[] = [];
  const logged: string[] = [];
  const helper = new AuthHelper(
    (events, startedAt) => {
      const child = new FakeChild(100 + children.length, startedAt, events);
      children.push(child);
      return child;
    },
    { ...systemTimers, now: () => Date.now() },
    { timeoutMs: 5_000, graceMs: 3_000 },
    { error: (message) => logged.push(message), info: () => undefined },
  );
  const outcomes: CheckOutcome[] = [];
  const check = (request: CheckRequest = REQUEST): Promise<CheckOutcome> =>
    helper.check(request).then((outcome) => {
      outcomes.push(outcome);
      return outcome;
    });
  return { helper, children, logged, outcomes, check };
}

/** Lets resolved promises run their callbacks. */
const settled = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

test("the helper starts with the first check, and answers come back by id, in any order", async (t) => {
  const { children, check } = setUp(t);
  assert.equal(children.length, 0);
  const first = check();
  const second = check({ ...REQUEST, args: ["bob", "pw"] });
  assert.equal(children.length, 1);
  const child = children[0] as FakeChild;
  assert.deepEqual(
    child.sent.map((sent) => sent.args[0]),
    ["alice", "bob"],
  );
  child.answer(1, "denied");
  child.answer(0, "granted", "alicia");
  assert.deepEqual(await first, { kind: "answer", verdict: "granted", value: "alicia" });
  assert.deepEqual(await second, { kind: "answer", verdict: "denied", value: null });
});

test("a check past its deadline fails alone; the helper is replaced once its others end", async (t) => {
  const { children, logged, outcomes, check } = setUp(t);
  void check();
  t.mock.timers.tick(2_000);
  void check({ ...REQUEST, args: ["bob", "pw"] });
  const old = children[0] as FakeChild;
  t.mock.timers.tick(3_000);
  await settled();
  assert.deepEqual(outcomes, [{ kind: "failed", why: "timeout" }]);
  assert.equal(logged.length, 1);
  assert.match(
    logged[0] ?? "",
    /did not answer within 5s: 500; the auth helper \(pid 100\) is replaced/,
  );
  // Still holding bob's check: not stopped yet. New checks go to a new helper.
  assert.equal(old.stoppedWith, null);
  const third = check({ ...REQUEST, args: ["carol", "pw"] });
  assert.equal(children.length, 2);
  (children[1] as FakeChild).answer(0, "granted");
  assert.equal((await third).kind, "answer");
  old.answer(1, "granted");
  await settled();
  assert.equal(outcomes[1]?.kind, "answer");
  assert.equal(old.stoppedWith, 3_000, "stopped once its last check was answered");
});

test("a crash fails the checks in flight; the next check starts a new helper", async (t) => {
  const { children, logged, check } = setUp(t);
  const lost = check();
  t.mock.timers.tick(2_500);
  (children[0] as FakeChild).events.exit(3, null);
  assert.deepEqual(await lost, { kind: "failed", why: "crash" });
  assert.match(logged[0] ?? "", /pid 100\) exited with status 3; 1 check\(s\) in flight failed/);
  // It had lived past the quick-death window: no delay.
  const next = check();
  assert.equal(children.length, 2);
  (children[1] as FakeChild).answer(0, "granted");
  assert.equal((await next).kind, "answer");
});

test("a helper that keeps dying at once is restarted after a growing delay", async (t) => {
  const { children, check } = setUp(t);
  void check();
  (children[0] as FakeChild).events.exit(null, "SIGSEGV");
  const waiting = check();
  // Died within the quick-death window: the next start waits 100 ms.
  assert.equal(children.length, 1);
  t.mock.timers.tick(99);
  assert.equal(children.length, 1);
  t.mock.timers.tick(1);
  assert.equal(children.length, 2);
  (children[1] as FakeChild).answer(0, "unknown");
  assert.equal((await waiting).kind, "answer");
});

test("a check that waits for a restarting helper still has its deadline", async (t) => {
  const { children, logged, check } = setUp(t);
  void check();
  // Each helper dies as soon as it starts: the delays grow 100, 200, 400 ms...
  for (let i = 0; i < 6; i += 1) {
    (children.at(-1) as FakeChild).events.exit(1, null);
    void check();
    t.mock.timers.tick(100 * 2 ** i);
  }
  assert.equal(children.length, 7);
  // ...to 6.4 s after the seventh quick death: longer than a check's deadline.
  (children.at(-1) as FakeChild).events.exit(1, null);
  const stuck = check();
  t.mock.timers.tick(5_000);
  assert.deepEqual(await stuck, { kind: "failed", why: "timeout" });
  assert.match(logged.at(-1) ?? "", /could not start within 5s/);
});

test("an unreadable line is logged, an unknown id ignored; exits are counted once", async (t) => {
  const { children, logged, check } = setUp(t);
  const pending = check();
  const child = children[0] as FakeChild;
  child.events.line("not json");
  child.events.line(JSON.stringify({ id: 999, verdict: "granted" }));
  assert.match(logged[0] ?? "", /unreadable line/);
  child.events.exit(0, null);
  child.events.exit(0, null);
  assert.equal((await pending).kind, "failed");
  assert.equal(logged.length, 2);
});

test("stop() stops the helper; checks after it fail at once", async (t) => {
  const { helper, children, logged, check } = setUp(t);
  const pending = check();
  helper.stop();
  const child = children[0] as FakeChild;
  assert.equal(child.stoppedWith, 3_000);
  child.events.exit(0, null);
  assert.equal((await pending).kind, "failed");
  assert.deepEqual(await check(), { kind: "failed", why: "crash" });
  assert.deepEqual(logged, [], "a stop is no news");
});
