/** Helpers shared by the supervision e2e tests (issue #3). */
import assert from "node:assert/strict";
import { app, request } from "./harness.js";

export const MISBEHAVE = app("misbehave.wsgi");

/** The pid of the daemon process that answered /pid. */
export async function pidOf(url: string): Promise<number> {
  const reply = await request(`${url}pid`);
  assert.equal(reply.status, 200);
  return Number(reply.body.toString());
}

/** Polls /pid until another process answers (every request must still succeed). */
export async function newPid(url: string, before: number): Promise<number> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const pid = await pidOf(url);
    if (pid !== before) return pid;
    assert.ok(Date.now() < deadline, `pid ${before} was not replaced`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
