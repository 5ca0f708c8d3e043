/**
 * Issue #3, timeouts: what the client receives and what the log says for each knob,
 * with small values. Assertions are on statuses and ordering, not on tight timings.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { app, eventually, request, startServer, notYetEmbedded } from "./harness.js";
import { MISBEHAVE, newPid, pidOf } from "./supervision-helpers.js";

test("--request-timeout: 504 at the deadline, RequestTimeout unwinds the thread, the process survives", async (t) => {
  const server = await startServer([
    MISBEHAVE,
    "--request-timeout",
    "1",
    "--interrupt-timeout",
    "5",
  ]);
  t.after(() => server.stop());
  const before = await pidOf(server.url);
  const started = Date.now();
  assert.equal((await request(`${server.url}nap?seconds=20`)).status, 504);
  assert.ok(Date.now() - started < 15_000);
  await eventually(server.errorLog, (log) => /event request_exception RequestTimeout/.test(log));
  await eventually(server.errorLog, (log) => /ran longer than --request-timeout/.test(log));
  // Where it was stuck: the app's frame is in the logged stack.
  await eventually(server.errorLog, (log) =>
    /passed --request-timeout in thread \d+; its stack:/.test(log),
  );
  await eventually(server.errorLog, (log) =>
    /misbehave\.wsgi", line \d+, in application/.test(log),
  );
  assert.equal(await pidOf(server.url), before);
  assert.doesNotMatch(server.errorLog(), /recycling daemon process/);
});

test("--request-timeout: a thread that cannot be interrupted gets its process recycled after --interrupt-timeout", async (t) => {
  const server = await startServer([
    MISBEHAVE,
    ...["--request-timeout", "1", "--interrupt-timeout", "1"],
    ...["--graceful-timeout", "1", "--shutdown-timeout", "1", "--log-level", "info"],
  ]);
  t.after(() => server.stop());
  const before = await pidOf(server.url);
  assert.equal((await request(`${server.url}block?seconds=60`)).status, 504);
  await eventually(server.errorLog, (log) =>
    /recycling (daemon process|embedded worker) \d+ \(--request-timeout\)/.test(log),
  );
  await newPid(server.url, before);
});

test("--queue-timeout: a request that waited too long for a thread gets 504 without reaching Python", async (t) => {
  const server = await startServer([MISBEHAVE, "--threads", "1", "--queue-timeout", "1"]);
  t.after(() => server.stop());
  const busy = request(`${server.url}nap?seconds=4`);
  await eventually(server.errorLog, (log) => /serving \/nap/.test(log));
  assert.equal((await request(`${server.url}queued`)).status, 504);
  assert.equal((await busy).status, 200);
  await eventually(server.errorLog, (log) =>
    /timed out in the queue \(--queue-timeout\)/.test(log),
  );
  assert.doesNotMatch(server.errorLog(), /serving \/queued/);
});

test("--socket-timeout: a daemon silent for that long gets the client a 504", async (t) => {
  const server = await startServer([MISBEHAVE, "--socket-timeout", "1", "--request-timeout", "0"]);
  t.after(() => server.stop());
  assert.equal((await request(`${server.url}nap?seconds=20`)).status, 504);
  await eventually(server.errorLog, (log) =>
    /got nothing from the daemon for --socket-timeout/.test(log),
  );
});

test(
  "--deadlock-timeout: a process holding the GIL is killed and replaced; its request gets 502",
  notYetEmbedded("--deadlock-timeout (refused in embedded mode)"),
  async (t) => {
    const server = await startServer([
      MISBEHAVE,
      "--deadlock-timeout",
      "2",
      "--request-timeout",
      "0",
    ]);
    t.after(() => server.stop());
    const before = await pidOf(server.url);
    assert.equal((await request(`${server.url}gil?seconds=60`)).status, 502);
    await eventually(server.errorLog, (log) =>
      /GIL looks deadlocked \(--deadlock-timeout\)/.test(log),
    );
    assert.notEqual(await pidOf(server.url), before);
  },
);

test(
  "--startup-timeout and --connect-timeout: a daemon hanging at start is replaced; requests get 503",
  notYetEmbedded(
    "a worker that does not load the app in --startup-timeout stops the server at start-up, without retries",
  ),
  async (t) => {
    const server = await startServer([
      app("hang_at_start.wsgi"),
      ...["--startup-timeout", "1", "--connect-timeout", "1"],
    ]);
    t.after(() => server.stop());
    assert.equal((await request(server.url)).status, 503);
    await eventually(
      server.errorLog,
      (log) =>
        (log.match(/did not load the application within 1s \(--startup-timeout\)/g) ?? []).length >=
        2,
      20_000,
    );
    await eventually(server.errorLog, (log) => /--connect-timeout, no daemon ready/.test(log));
  },
);

test(
  "a daemon crashing at start-up is respawned with a growing delay, its traceback in the log",
  notYetEmbedded(
    "a worker that dies while loading the app stops the server at start-up, without retries",
  ),
  async (t) => {
    const server = await startServer([app("crash_on_import.wsgi")]);
    t.after(() => server.stop());
    const log = await eventually(
      server.errorLog,
      (text) => (text.match(/exited with status 7; restarting in/g) ?? []).length >= 3,
      20_000,
    );
    assert.match(log, /RuntimeError: crash_on_import\.wsgi dies at start-up, on purpose/);
    assert.match(server.banner(), /^Application\s*: .*FAILED/m);
    const delays = [...log.matchAll(/restarting in ([\d.]+)s/g)].map((m) => Number(m[1]));
    assert.ok((delays[2] ?? 0) > (delays[0] ?? 0), `delays grow: ${delays.join(", ")}`);
  },
);
