import { test } from "node:test";
import assert from "node:assert/strict";
import { Duplex } from "node:stream";
import type { Socket } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import {
  AHEAD_DEPTH,
  AheadDispatcher,
  LONG_REQUEST_MS,
  RECALL_AFTER_MS,
  type AheadHost,
} from "../../../src/daemon/dispatch-ahead.js";
import { RequestQueue } from "../../../src/daemon/request-queue.js";
import type { PendingRequest } from "../../../src/daemon/pending-request.js";
import { WorkerChannel } from "../../../src/daemon/worker-channel.js";
import { FrameDecoder } from "../../../src/protocol/frames.js";

class NullSocket extends Duplex {
  setNoDelay(): this {
    return this;
  }
  override _read(): void {
    // Nothing arrives from the daemon in these tests.
  }
  override _write(_chunk: Buffer, _encoding: string, done: () => void): void {
    done();
  }
}

/** A request that records what the dispatcher does with it. */
class FakeRequest implements PendingRequest {
  readonly queuedAt: number;
  wanted = true;
  sendsWhole = true;
  bodySent = true;
  readonly events: string[] = [];
  constructor(
    readonly id: string,
    queuedAt = 0,
  ) {
    this.queuedAt = queuedAt;
  }
  readonly path = "/";
  start(): void {
    this.events.push("start");
  }
  startAhead(channel: WorkerChannel): boolean {
    this.events.push(`ahead on ${String(channel.thread)}`);
    return true;
  }
  promoted(): void {
    this.events.push("promoted");
  }
  recalled(): void {
    this.events.push("recalled");
  }
  expire(status: number): void {
    this.events.push(`expired ${String(status)}`);
  }
  onFrame(): void {
    // No frames in these tests.
  }
  onChannelLost(): void {
    this.events.push("lost");
  }
  onDrain(): void {
    // Nothing is written that could fill a socket.
  }
}

const QUEUE_TIMEOUT_MS = 2000;

function setup(threads = 2) {
  let clock = 100;
  const channels = Array.from(
    { length: threads },
    (_, thread) =>
      new WorkerChannel(
        new NullSocket() as unknown as Socket,
        new FrameDecoder(),
        1,
        thread,
        () => {
          // Closing is not under test here.
        },
      ),
  );
  const log: string[] = [];
  const host: AheadHost & { idleCount: number; queuedCount: number; allowed: boolean } = {
    channels,
    idleCount: 0,
    queuedCount: 0,
    allowed: true,
    mayRunAhead: () => host.allowed,
    sendRecall: (channel, id) => log.push(`recall ${id} from ${String(channel.thread)}`),
    redispatch: (request) => log.push(`redispatch ${request.id}`),
    freed: (channel) => log.push(`freed ${String(channel.thread)}`),
  };
  const ahead = new AheadDispatcher(host, () => clock, QUEUE_TIMEOUT_MS);
  /** Makes `channel` busy with a request that started at the current clock. */
  const busy = (thread: number, current = new FakeRequest(`current${String(thread)}`)) => {
    channels[thread]?.assign(current, clock);
    return current;
  };
  /** Thread 0 busy, with request r1 written ahead of it. */
  const oneAhead = () => {
    busy(0);
    const request = new FakeRequest("r1");
    ahead.place(request);
    return { request, channel: channels[0] as WorkerChannel };
  };
  return {
    ahead,
    host,
    channels,
    log,
    busy,
    oneAhead,
    advance: (ms: number) => (clock += ms),
  };
}

test("a request goes ahead only on a busy channel whose request has just begun", () => {
  const { ahead, busy, advance } = setup();
  assert.equal(ahead.place(new FakeRequest("r1")), false, "no channel is busy");
  busy(0);
  advance(RECALL_AFTER_MS);
  busy(1);
  const request = new FakeRequest("r2");
  assert.equal(ahead.place(request), true);
  assert.deepEqual(request.events, ["ahead on 1"], "not behind the older request");
});

test("up to AHEAD_DEPTH requests wait on a channel, and become current in order", () => {
  const { ahead, channels, busy } = setup(1);
  busy(0);
  const requests = Array.from({ length: AHEAD_DEPTH }, (_, i) => new FakeRequest(`r${String(i)}`));
  for (const request of requests) assert.equal(ahead.place(request), true);
  assert.equal(ahead.place(new FakeRequest("one more")), false);
  const channel = channels[0] as WorkerChannel;
  for (const request of requests) assert.equal(ahead.promote(channel), request);
  assert.equal(ahead.promote(channel), null);
});

test("a channel that just began a request takes queued ones ahead, in order, up to one to stream", () => {
  const { ahead, channels, busy } = setup(1);
  busy(0);
  const queue = new RequestQueue<FakeRequest>(0, () => 0);
  const [a, b, streamed, after] = ["a", "b", "streamed", "after"].map((id) => new FakeRequest(id));
  (streamed as FakeRequest).sendsWhole = false;
  for (const request of [a, b, streamed, after]) queue.push(request as FakeRequest);
  const channel = channels[0] as WorkerChannel;
  ahead.fillFrom(channel, queue);
  assert.equal(ahead.promote(channel), a);
  assert.equal(ahead.promote(channel), b);
  assert.equal(ahead.promote(channel), null);
  assert.equal(queue.shift(), streamed, "it waits at the head of the queue");
});

test("not ahead of a request whose body is still streaming, nor when the pool says no", () => {
  const { ahead, host, busy } = setup(1);
  const current = busy(0);
  current.bodySent = false;
  assert.equal(ahead.place(new FakeRequest("r1")), false);
  current.bodySent = true;
  host.allowed = false;
  assert.equal(ahead.place(new FakeRequest("r2")), false);
  host.allowed = true;
  const streamed = new FakeRequest("r3");
  streamed.sendsWhole = false;
  assert.equal(ahead.place(streamed), false, "a body to stream cannot go ahead");
});

test("recalled before it started: it leaves the channel and is dispatched again", () => {
  const { ahead, log, oneAhead } = setup(1);
  const { request, channel } = oneAhead();
  ahead.recallFrom([channel]);
  ahead.recallFrom([channel]);
  assert.deepEqual(log, ["recall r1 from 0"], "one recall at a time");
  assert.equal(ahead.place(new FakeRequest("r2")), false, "nothing goes behind a recall");
  ahead.answered(channel, "other", true);
  assert.deepEqual(log, ["recall r1 from 0"], "an answer about another request is ignored");
  ahead.answered(channel, "r1", true);
  assert.deepEqual(log, ["recall r1 from 0", "redispatch r1"]);
  assert.deepEqual(request.events, ["ahead on 0", "recalled"]);
  assert.equal(ahead.promote(channel), null);
});

test("recalled as it became current: the channel is freed", () => {
  const { ahead, log, oneAhead } = setup(1);
  const { request, channel } = oneAhead();
  ahead.recallFrom([channel]);
  assert.equal(ahead.promote(channel), request);
  channel.assign(request, 0);
  ahead.answered(channel, "r1", true);
  assert.equal(channel.busy, false);
  assert.deepEqual(log, ["recall r1 from 0", "freed 0", "redispatch r1"]);
});

test("a recall the daemon refuses leaves the request where it is, and is not asked again", () => {
  const { ahead, log, oneAhead } = setup(1);
  const { request, channel } = oneAhead();
  ahead.recallFrom([channel]);
  ahead.answered(channel, "r1", false);
  ahead.sweep();
  assert.deepEqual(log, ["recall r1 from 0"]);
  assert.equal(ahead.promote(channel), request);
});

test("a draining process's requests ahead are recalled from the last, one answer at a time", () => {
  const { ahead, channels, log, busy } = setup(1);
  busy(0);
  ahead.place(new FakeRequest("r1"));
  ahead.place(new FakeRequest("r2"));
  const channel = channels[0] as WorkerChannel;
  ahead.recallFrom([channel]);
  assert.deepEqual(log, ["recall r2 from 0"]);
  ahead.answered(channel, "r2", true);
  ahead.answered(channel, "r1", true);
  assert.deepEqual(log, ["recall r2 from 0", "redispatch r2", "recall r1 from 0", "redispatch r1"]);
});

test("past --queue-timeout: answered 504; a client that left: dropped; those behind move", () => {
  const { ahead, channels, log, busy, advance } = setup(1);
  busy(0);
  const late = new FakeRequest("late", 100);
  const gone = new FakeRequest("gone", 100);
  ahead.place(late);
  ahead.place(gone);
  const after = new FakeRequest("after", 2000);
  ahead.place(after);
  const channel = channels[0] as WorkerChannel;
  ahead.sweep();
  assert.deepEqual(log, [], "none is late, none is gone");
  advance(QUEUE_TIMEOUT_MS + 100);
  gone.wanted = false;
  ahead.sweep(channel);
  ahead.answered(channel, "after", true);
  ahead.answered(channel, "gone", true);
  ahead.answered(channel, "late", true);
  assert.deepEqual(log, [
    "recall after from 0",
    "redispatch after",
    "recall gone from 0",
    "recall late from 0",
  ]);
  assert.deepEqual(gone.events, ["ahead on 0", "recalled"]);
  assert.deepEqual(late.events, ["ahead on 0", "recalled", "expired 504"]);
});

test("a lost channel's requests ahead, which never started, are dispatched again", () => {
  const { ahead, channels, log, busy } = setup(1);
  busy(0);
  ahead.place(new FakeRequest("r1"));
  ahead.place(new FakeRequest("r2"));
  ahead.lost(channels[0] as WorkerChannel);
  // Each goes to the head of the queue: the last first, so r1 ends up before r2.
  assert.deepEqual(log, ["redispatch r2", "redispatch r1"]);
});

test("a thread still sending, but on one request for LONG_REQUEST_MS, has its waiting recalled", () => {
  const { ahead, host, channels, log, busy, advance } = setup(1);
  busy(0);
  ahead.place(new FakeRequest("r0"));
  host.idleCount = 1;
  const channel = channels[0] as WorkerChannel;
  advance(LONG_REQUEST_MS - 1);
  channel.progressAt = 100 + LONG_REQUEST_MS - 1;
  ahead.rebalance();
  assert.deepEqual(log, [], "it streams: not stuck yet");
  advance(1);
  ahead.rebalance();
  assert.deepEqual(log, ["recall r0 from 0"]);
  ahead.stop();
});

test("with every thread busy and requests queued, what waits behind a long request is recalled", async () => {
  const { ahead, host, log, busy, advance } = setup(2);
  busy(0);
  ahead.place(new FakeRequest("r0"));
  advance(LONG_REQUEST_MS);
  busy(1);
  ahead.place(new FakeRequest("r1"));
  ahead.rebalance();
  assert.deepEqual(log, [], "no thread is idle and nothing is queued: nowhere better to go");
  host.queuedCount = 3;
  ahead.rebalance();
  // To the head of the queue, ahead of everything queued after it; r1's thread is young.
  assert.deepEqual(log, ["recall r0 from 0"]);
  advance(RECALL_AFTER_MS);
  await sleep(RECALL_AFTER_MS * 5);
  assert.deepEqual(log, ["recall r0 from 0"], "no timer: the next thread the queue feeds looks");
  ahead.rebalance();
  assert.deepEqual(log, ["recall r0 from 0"], "r1's thread is only silent, not long at it");
  advance(LONG_REQUEST_MS - RECALL_AFTER_MS);
  ahead.rebalance();
  assert.deepEqual(log, ["recall r0 from 0", "recall r1 from 1"]);
  ahead.stop();
});

test("an idle thread recalls requests waiting behind one that has run long, at once or soon", async () => {
  const { ahead, host, log, busy, advance } = setup(2);
  busy(0);
  ahead.place(new FakeRequest("r0"));
  advance(RECALL_AFTER_MS - 1);
  busy(1);
  ahead.place(new FakeRequest("r1"));
  advance(1);
  ahead.rebalance();
  assert.deepEqual(log, [], "no thread is idle");
  host.idleCount = 1;
  ahead.rebalance();
  assert.deepEqual(log, ["recall r0 from 0"], "r1's predecessor is still young");
  advance(RECALL_AFTER_MS);
  await sleep(RECALL_AFTER_MS * 5);
  assert.deepEqual(log, ["recall r0 from 0", "recall r1 from 1"]);
  ahead.stop();
});
