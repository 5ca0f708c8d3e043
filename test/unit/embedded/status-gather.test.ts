/** Issue #25: --server-status in embedded mode answers for every worker, gathered by the
 *  primary: on fake workers, a fake IPC channel and mock timers. */
import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import type { IncomingMessage, ServerResponse } from "node:http";
import { afterEach, beforeEach, mock, test } from "node:test";
import type { PoolStatus } from "../../../src/daemon/pool.js";
import {
  GATHER_TIMEOUT_MS,
  mergeStatuses,
  StatusGatherer,
  statusOverIpc,
  type StatusMessage,
  type WorkerStatus,
} from "../../../src/embedded/status-gather.js";
import { ServerStatus, type StatusSnapshot } from "../../../src/front-door/server-status.js";
import { systemTimers, type Timers } from "../../../src/process/timers.js";

beforeEach(() => {
  mock.timers.enable({ apis: ["setTimeout", "Date"] });
});
afterEach(() => {
  mock.timers.reset();
});

const idle = (thread: number) => ({ thread, request: null, busyMs: 0 });

function part(pid: number, busy: boolean, accesses: number): WorkerStatus {
  const threads = [idle(0), busy ? { thread: 1, request: "GET /x", busyMs: 5 } : idle(1)];
  const pool: PoolStatus = {
    processSlots: 1,
    threadsPerProcess: 2,
    processes: [{ pid, serving: true, threads }],
    waiting: busy ? 1 : 0,
  };
  return { pool, accesses, bodyBytes: accesses * 100 };
}

/** A worker as the primary's gatherer sees it; `answer` is what it reports, or null
 *  for a worker that never answers (loading its app). */
class FakePeer extends EventEmitter {
  readonly sent: StatusMessage[] = [];
  closed = false;
  constructor(private readonly answer: WorkerStatus | null) {
    super();
  }
  send(message: StatusMessage): void {
    if (this.closed) throw new Error("channel closed");
    this.sent.push(message);
    if (message.type === "status-report" && this.answer !== null) {
      const reply: StatusMessage = { type: "status", id: message.id, part: this.answer };
      queueMicrotask(() => this.emit("message", reply));
    }
  }
  answers(): StatusSnapshot[] {
    return this.sent.flatMap((m) => (m.type === "status-answer" ? [m.snapshot] : []));
  }
}

const timers: Timers = { ...systemTimers, now: () => Date.now() };
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

test("mergeStatuses: every worker's threads in order, queues and traffic summed", () => {
  const merged = mergeStatuses(
    [part(1, false, 3), part(2, true, 4)],
    { processes: 3, threads: 2 },
    9,
  );
  assert.deepEqual(
    merged.pool.processes.map((p) => p.pid),
    [1, 2],
  );
  assert.equal(merged.pool.processSlots, 3);
  assert.equal(merged.pool.threadsPerProcess, 2);
  assert.equal(merged.pool.waiting, 1);
  assert.equal(merged.accesses, 7);
  assert.equal(merged.bodyBytes, 700);
  assert.equal(merged.uptimeSeconds, 9);
});

test("the asker gets every worker's figures, in the order they were forked", async () => {
  mock.timers.setTime(1000);
  const gatherer = new StatusGatherer({ processes: 2, threads: 2 }, timers);
  const [a, b] = [new FakePeer(part(11, true, 5)), new FakePeer(part(12, false, 2))];
  gatherer.watch(a);
  gatherer.watch(b);
  mock.timers.tick(3000);
  b.emit("message", { type: "status-ask", id: 7 } satisfies StatusMessage);
  await settle();
  const answers = b.answers();
  assert.equal(answers.length, 1);
  const answer = answers[0] as StatusSnapshot;
  assert.deepEqual(
    answer.pool.processes.map((p) => p.pid),
    [11, 12],
  );
  assert.equal(answer.accesses, 7);
  assert.equal(answer.uptimeSeconds, 3);
  assert.equal(b.sent.find((m) => m.type === "status-answer")?.id, 7);
  // A late answer to a finished gathering is dropped.
  a.emit("message", { type: "status", id: 1, part: part(11, false, 0) } satisfies StatusMessage);
  assert.equal(b.answers().length, 1);
});

test("a worker that does not answer is left out after the gathering's time", async () => {
  const gatherer = new StatusGatherer({ processes: 2, threads: 2 }, timers);
  const [ready, loading] = [new FakePeer(part(21, false, 1)), new FakePeer(null)];
  gatherer.watch(ready);
  gatherer.watch(loading);
  ready.emit("message", { type: "status-ask", id: 1 } satisfies StatusMessage);
  await settle();
  assert.deepEqual(ready.answers(), []);
  mock.timers.tick(GATHER_TIMEOUT_MS);
  assert.deepEqual(
    ready.answers()[0]?.pool.processes.map((p) => p.pid),
    [21],
  );
});

test("a worker that exits, or whose channel is closed, is not waited for", async () => {
  const gatherer = new StatusGatherer({ processes: 3, threads: 2 }, timers);
  const [asker, dying, closed] = [
    new FakePeer(part(31, false, 1)),
    new FakePeer(null),
    new FakePeer(null),
  ];
  for (const peer of [asker, dying, closed]) gatherer.watch(peer);
  closed.closed = true;
  asker.emit("message", { type: "status-ask", id: 2 } satisfies StatusMessage);
  await settle();
  assert.deepEqual(asker.answers(), []);
  dying.emit("exit", 1, null);
  assert.deepEqual(
    asker.answers()[0]?.pool.processes.map((p) => p.pid),
    [31],
  );
  // The next gathering does not ask the one that exited.
  asker.emit("message", { type: "status-ask", id: 3 } satisfies StatusMessage);
  assert.equal(dying.sent.filter((m) => m.type === "status-report").length, 1);
});

/** The worker's end of the IPC channel, with the primary's replies scripted. */
class FakeChannel extends EventEmitter {
  readonly sent: StatusMessage[] = [];
  send(message: StatusMessage): boolean {
    this.sent.push(message);
    return true;
  }
}

test("a worker reports its own figures and gets the whole server's answer", async () => {
  const channel = new FakeChannel();
  const ask = statusOverIpc(channel as unknown as NodeJS.Process, () => part(41, true, 6));
  channel.emit("message", { type: "status-report", id: 5 } satisfies StatusMessage);
  assert.deepEqual(channel.sent[0], { type: "status", id: 5, part: part(41, true, 6) });
  const asked = ask();
  const question = channel.sent[1];
  assert.equal(question?.type, "status-ask");
  const snapshot = mergeStatuses([part(41, true, 6)], { processes: 1, threads: 2 }, 1);
  channel.emit("message", { type: "status-answer", id: question.id, snapshot });
  assert.deepEqual(await asked, snapshot);
  // No answer from the primary: rejected, not left hanging.
  const unanswered = ask();
  mock.timers.tick(2 * GATHER_TIMEOUT_MS);
  await assert.rejects(unanswered, /the primary did not answer/);
});

/** A request for `url` from localhost, and what the page answered. */
function fakeExchange(url: string): {
  req: IncomingMessage;
  res: ServerResponse;
  done: Promise<{ status: number; body: string }>;
} {
  let finish: (value: { status: number; body: string }) => void = () => undefined;
  const done = new Promise<{ status: number; body: string }>((resolve) => (finish = resolve));
  let status = 0;
  const req = { url, method: "GET", socket: { remoteAddress: "127.0.0.1" } };
  const res = {
    setHeader: () => undefined,
    writeHead: (code: number) => {
      status = code;
    },
    end: (body?: Buffer) => {
      finish({ status, body: body?.toString() ?? "" });
    },
    on: () => undefined,
  };
  return {
    req: req as unknown as IncomingMessage,
    res: res as unknown as ServerResponse,
    done,
  };
}

test("the page shows the whole server's figures, or 503 when they cannot be had", async () => {
  const snapshot = mergeStatuses(
    [part(51, true, 6), part(52, false, 4)],
    { processes: 2, threads: 2 },
    5,
  );
  let fail = false;
  const source = {
    status: () => part(51, true, 6).pool,
    wholeServerStatus: () => (fail ? Promise.reject(new Error("no")) : Promise.resolve(snapshot)),
  };
  const page = new ServerStatus(source);
  const whole = fakeExchange("/server-status?auto");
  assert.equal(page.answer(whole.req, whole.res), true);
  const { status, body } = await whole.done;
  assert.equal(status, 200);
  assert.match(body, /^Total Accesses: 10$/m);
  assert.match(body, /^Scoreboard: _W__$/m);
  assert.match(body, /^QueuedRequests: 1$/m);
  fail = true;
  const failed = fakeExchange("/server-status");
  page.answer(failed.req, failed.res);
  assert.equal((await failed.done).status, 503);
});
