/**
 * --response-flush-delay through the real CLI: a stream's small pieces wait for more and
 * leave together once the daemon goes quiet; a stall still sends what came before it.
 * The application stalls on a gate the test opens, so the counts do not depend on timing
 * but for one thing: the delay has to outlast the 2 ms between the app's pieces. On a
 * busy machine a daemon can be off the CPU for much longer than that (a 1000 ms delay
 * was seen split), so it is DELAY_MS, which only bounds how long the test waits for the
 * pieces; the timer's own behaviour is unit tested with mock timers (flush-delay.test.ts).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { app, eventually, startServer, tempDir } from "./harness.js";

const DELAY_MS = 5000;

test("--response-flush-delay: 20 pieces 2 ms apart reach the client in one write, before the stall ends", async (t) => {
  const dir = tempDir();
  const server = await startServer(
    [app("trickle.wsgi"), "--response-flush-delay", String(DELAY_MS)],
    {
      env: { ...process.env, WSGI_EXPRESS_TEST_DIR: dir },
    },
  );
  t.after(() => server.stop());
  const socket = connect(server.port, "127.0.0.1");
  t.after(() => socket.destroy());
  const reads: string[] = [];
  socket.setEncoding("latin1").on("data", (text: string) => reads.push(text));
  socket.write("GET /?n=20 HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
  // Everything before the stall arrives while the application is still held.
  await eventually(
    () => reads.join(""),
    (text) => text.includes("piece-19\n"),
    DELAY_MS + 30_000,
  );
  assert.equal(reads.length, 1, "head and 20 pieces in one write");
  assert.match(reads[0] ?? "", /^HTTP\/1\.1 200 OK\r\n/);
  assert.doesNotMatch(reads[0] ?? "", /end\n/);
  writeFileSync(join(dir, "gate"), "");
  await eventually(
    () => reads.join(""),
    (text) => text.endsWith("0\r\n\r\n"),
  );
  assert.match(reads.join(""), /4\r\nend\n\r\n0\r\n\r\n$/);
});
