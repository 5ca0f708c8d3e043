/**
 * --daemon-backlog: past that many requests waiting for a daemon thread, a request is
 * refused at once with 503 (as mod_wsgi's front end answers when the daemon socket's
 * listen backlog is full), instead of waiting for --queue-timeout. Counted by events:
 * the application holds every request until the test opens a gate.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { app, eventually, request, startServer, tempDir, type Response } from "./harness.js";

function startedCount(dir: string): number {
  const file = join(dir, "started");
  return existsSync(file) ? readFileSync(file, "utf8").split("\n").filter(Boolean).length : 0;
}

test("1 process x 1 thread, backlog 2: of 5 requests, 1 runs, 2 wait, 2 get 503 at once", async (t) => {
  const dir = tempDir();
  const server = await startServer(
    [app("held.wsgi"), "--processes", "1", "--threads", "1", "--daemon-backlog", "2"],
    { env: { ...process.env, WSGI_EXPRESS_TEST_DIR: dir } },
  );
  t.after(() => server.stop());
  const statuses: number[] = [];
  const send = (n: number): Promise<Response> =>
    request(`${server.url}?n=${String(n)}`).then((response) => {
      statuses.push(response.status);
      return response;
    });
  // The first request holds the only thread before the others arrive.
  const first = send(1);
  await eventually(
    () => startedCount(dir),
    (count) => count === 1,
  );
  const others = [2, 3, 4, 5].map(send);
  // Two find the backlog full and are answered while the thread is still held.
  await eventually(
    () => statuses.length,
    (count) => count >= 2,
  );
  assert.deepEqual(statuses, [503, 503]);
  writeFileSync(join(dir, "gate"), "");
  const responses = await Promise.all([first, ...others]);
  const count = (status: number): number => responses.filter((r) => r.status === status).length;
  assert.deepEqual([count(200), count(503)], [3, 2]);
  assert.equal(startedCount(dir), 3, "the refused requests never reached the application");
  const refusals = server
    .errorLog()
    .match(/refused: 2 requests already wait for a thread \(--daemon-backlog\)/g);
  assert.equal(refusals?.length, 2);
});
