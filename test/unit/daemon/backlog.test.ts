import { test } from "node:test";
import assert from "node:assert/strict";
import type { ServerConfig } from "../../../src/config/server-config.js";
import type { PendingRequest } from "../../../src/daemon/pending-request.js";
import { ThreadDispatcher } from "../../../src/daemon/thread-dispatcher.js";

/** A request that records how it was answered without a thread. */
function fakeRequest(id: string, answers: string[]): PendingRequest {
  return {
    id,
    path: "/",
    queuedAt: 0,
    wanted: true,
    sendsWhole: true,
    bodySent: true,
    expire: (status, why) => answers.push(`${id} ${String(status)} ${why ?? ""}`),
    start: () => answers.push(`${id} started`),
    startAhead: () => false,
    promoted: () => undefined,
    recalled: () => undefined,
    onFrame: () => undefined,
    onChannelLost: () => undefined,
    onDrain: () => undefined,
  };
}

function dispatcher(backlog: number): ThreadDispatcher {
  const config = {
    daemons: { queueTimeout: 45, maximumRequests: 0, backlog },
  } as unknown as ServerConfig;
  return new ThreadDispatcher(
    config,
    {
      processOf: () => undefined,
      afterRequest: () => undefined,
      countsAsActivity: () => true,
      finish: () => undefined,
    },
    () => 0,
  );
}

test("with no thread free, requests wait up to --daemon-backlog; the next is refused (503)", () => {
  const answers: string[] = [];
  const threads = dispatcher(2);
  for (const id of ["a", "b", "c", "d"]) threads.dispatch(fakeRequest(id, answers));
  assert.equal(threads.waitingCount, 2);
  assert.deepEqual(answers, [
    "c 503 refused: 2 requests already wait for a thread (--daemon-backlog)",
    "d 503 refused: 2 requests already wait for a thread (--daemon-backlog)",
  ]);
});

test("a backlog of 1: one request waits", () => {
  const answers: string[] = [];
  const threads = dispatcher(1);
  threads.dispatch(fakeRequest("a", answers));
  threads.dispatch(fakeRequest("b", answers));
  assert.equal(threads.waitingCount, 1);
  assert.equal(answers.length, 1);
});
