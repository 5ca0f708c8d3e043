/** Helpers shared by the supervision e2e tests (issue #3). */
import assert from "node:assert/strict";
import { type Agent, request as httpRequest } from "node:http";
import { app, request } from "./harness.js";

export const MISBEHAVE = app("misbehave.wsgi");

/** The pid of the daemon process that answered /pid. */
export async function pidOf(url: string): Promise<number> {
  const reply = await request(`${url}pid`);
  assert.equal(reply.status, 200);
  return Number(reply.body.toString());
}

/** How long a replacement may take: a start-up and a drain, which on a loaded 2-core
 *  machine (other test files run alongside) have taken over 20 s. */
const REPLACEMENT_WAIT_MS = 45_000;

/** Polls /pid until another process answers (every request must still succeed). */
export async function newPid(url: string, before: number): Promise<number> {
  const deadline = Date.now() + REPLACEMENT_WAIT_MS;
  for (;;) {
    const pid = await pidOf(url);
    if (pid !== before) return pid;
    assert.ok(Date.now() < deadline, `pid ${before} was not replaced`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** GETs `url` through `agent` (keep-alive load tests), reading the whole body; resolves
 *  with the status. */
export function getStatus(url: string, agent: Agent): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { agent }, (res) => {
      res.resume();
      res.on("end", () => {
        resolve(res.statusCode ?? 0);
      });
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}
