/**
 * Issue #3, crashes, signals and load: a killed daemon costs only its own in-flight
 * requests; restarts and recycles under load fail nothing; signals do what apachectl
 * users expect, and the listening socket stays open throughout.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { Agent } from "node:http";
import { app, eventually, request, startServer } from "./harness.js";
import { getStatus, MISBEHAVE, newPid, pidOf } from "./supervision-helpers.js";

test("kill -9 of a daemon: its in-flight requests get 502, queued ones are served by the replacement", async (t) => {
  const server = await startServer([MISBEHAVE, "--processes", "1", "--threads", "2"]);
  t.after(() => server.stop());
  const pid = await pidOf(server.url);
  const inFlight = [1, 2].map(() => request(`${server.url}nap?seconds=30`));
  await eventually(server.errorLog, (log) => (log.match(/serving \/nap/g) ?? []).length === 2);
  const queued = [1, 2, 3].map(() => request(`${server.url}pid`));
  process.kill(pid, "SIGKILL");
  assert.deepEqual(
    (await Promise.all(inFlight)).map((r) => r.status),
    [502, 502],
  );
  const served = await Promise.all(queued);
  assert.deepEqual(
    served.map((r) => r.status),
    [200, 200, 200],
  );
  for (const reply of served) assert.notEqual(Number(reply.body.toString()), pid);
  const killed = new RegExp(`daemon process ${pid} exited with signal SIGKILL`);
  await eventually(server.errorLog, (log) => killed.test(log));
});

/** Bounds a hang only: every wait below is for events, however slow the machine. */
const HANG_MS = 240_000;

test("200 keep-alive clients across 20+ recycles and two SIGUSR1 restarts: zero failed requests", async (t) => {
  const server = await startServer([
    app("hello.wsgi"),
    ...["--processes", "2", "--threads", "5", "--maximum-requests", "150", "--log-level", "info"],
  ]);
  t.after(() => server.stop());
  const agent = new Agent({ keepAlive: true, maxSockets: 200 });
  t.after(() => {
    agent.destroy();
  });
  const count = (pattern: RegExp) => (): number => (server.errorLog().match(pattern) ?? []).length;
  const recycles = count(/recycling daemon process/g);
  const restarts = count(/caught SIGUSR1, restarting the daemon processes gracefully/g);
  const failures: string[] = [];
  let served = 0;
  let running = true;
  const client = async (): Promise<void> => {
    while (running) {
      try {
        const status = await getStatus(server.url, agent);
        if (status === 200) served += 1;
        else failures.push(`status ${status}`);
      } catch (error) {
        failures.push((error as Error).message);
      }
    }
  };
  const clients = Array.from({ length: 200 }, client);
  try {
    // Each restart once the load is on and the one before has been taken up.
    for (const wanted of [1, 2]) {
      await eventually(
        () => served,
        (n) => n >= 100 * wanted,
        HANG_MS,
      );
      server.child.kill("SIGUSR1");
      await eventually(restarts, (n) => n >= wanted, HANG_MS);
    }
    await eventually(recycles, (n) => n >= 20, HANG_MS);
  } finally {
    running = false;
    await Promise.all(clients);
  }
  // On failure, the server's own account of it: why each request failed.
  const why = server.errorLog().match(/^.*\[wsgi:(warn|error|crit)\].*$/gm) ?? [];
  assert.deepEqual(failures.slice(0, 5), [], why.slice(0, 20).join("\n"));
  assert.ok(served > 1000, `served ${served}`);
});

test("Ctrl-C (SIGINT to the whole process group) stops quietly: nothing at warn level or above", async (t) => {
  const server = await startServer(
    [app("hello.wsgi"), "--processes", "2", "--threads", "3", "--log-level", "info"],
    { processGroup: true },
  );
  t.after(() => server.stop());
  assert.equal((await request(server.url)).status, 200);
  // What start-up logged (the warning about running as root, where the tests run as
  // root) is not the stop's: only what comes after the signal is looked at. That
  // warning's write can land after the first answer (the fresh-clone CI saw it so):
  // waited for first.
  if (process.getuid?.() === 0)
    await eventually(server.errorLog, (log) => /started as root/.test(log));
  const startedWith = server.errorLog().length;
  const group = server.child.pid ?? 0;
  const exited = new Promise((resolve) => server.child.once("exit", resolve));
  // The terminal signals every process in the group at once: the daemons as well.
  process.kill(-group, "SIGINT");
  assert.equal(await exited, 0);
  const log = server.errorLog().slice(startedWith);
  assert.match(log, /caught SIGINT, shutting down/);
  assert.doesNotMatch(log, /\[wsgi:(warn|error|crit|alert|emerg)\]/);
});

test("SIGHUP restarts the daemons; an in-flight request finishes and the socket stays open", async (t) => {
  const server = await startServer([MISBEHAVE, "--log-level", "info"]);
  t.after(() => server.stop());
  const before = await pidOf(server.url);
  const inFlight = request(`${server.url}nap?seconds=2`);
  await eventually(server.errorLog, (log) => /serving \/nap/.test(log));
  server.child.kill("SIGHUP");
  await newPid(server.url, before);
  assert.equal((await inFlight).status, 200);
  await eventually(server.errorLog, (log) => /caught SIGHUP/.test(log));
});

test("SIGTERM waits for in-flight requests; a second signal forces the exit", async (t) => {
  const server = await startServer([MISBEHAVE, "--shutdown-timeout", "60"]);
  t.after(() => server.stop());
  const inFlight = request(`${server.url}block?seconds=60`).catch(() => null);
  await eventually(server.errorLog, (log) => /serving \/block/.test(log));
  server.child.kill("SIGTERM");
  await sleep(500);
  assert.equal(server.child.exitCode, null, "still waiting for the request");
  const started = Date.now();
  server.child.kill("SIGINT");
  assert.equal(await server.stop(), 0);
  assert.ok(Date.now() - started < 20_000);
  await inFlight;
});

test("daemon process titles show the group, as mod_wsgi's (wsgi:NAME)", async (t) => {
  const server = await startServer([MISBEHAVE, "--process-group", "shop"]);
  t.after(() => server.stop());
  const pid = await pidOf(server.url);
  assert.match(readFileSync(`/proc/${pid}/cmdline`, "utf8"), /\(wsgi:shop\)/);
  assert.equal(readFileSync(`/proc/${pid}/comm`, "utf8").trim(), "(wsgi:shop)");
});

test("SIGUSR1 sent to a daemon recycles it with --eviction-timeout", async (t) => {
  const server = await startServer([MISBEHAVE, "--eviction-timeout", "1", "--log-level", "info"]);
  t.after(() => server.stop());
  const pid = await pidOf(server.url);
  process.kill(pid, "SIGUSR1");
  await newPid(server.url, pid);
  await eventually(server.errorLog, (log) => /event process_stopping eviction_signal/.test(log));
  await eventually(server.errorLog, (log) => /recycling daemon process \d+ \(SIGUSR1\)/.test(log));
});

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
