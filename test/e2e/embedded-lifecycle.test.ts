/**
 * Issue #25, point 2: the embedded workers' lives through the real CLI. Restart
 * signals and recycle rules replace workers gracefully (the new one ready before the
 * old one stops accepting; the old one's connections finish), a thread stuck past
 * --interrupt-timeout gets its worker replaced, and Python is finalised as a worker
 * exits (its atexit handlers run).
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Agent } from "node:http";
import { test } from "node:test";
import { app, eventually, request, startServer, tempDir } from "./harness.js";
import { getStatus, MISBEHAVE, newPid, pidOf } from "./supervision-helpers.js";

const EMBEDDED = ["--embedded-mode", "--log-level", "info"];

/** Bounds a hang only: every wait is for events, however slow the machine. */
const HANG_MS = 240_000;

const count = (read: () => string, pattern: RegExp) => (): number =>
  (read().match(pattern) ?? []).length;

test("50 keep-alive clients across SIGHUP, SIGUSR1 and --maximum-requests recycles: zero failed requests", async (t) => {
  const server = await startServer([
    app("hello.wsgi"),
    ...EMBEDDED,
    ...["--processes", "2", "--threads", "3", "--maximum-requests", "1500"],
  ]);
  t.after(() => server.stop());
  const agent = new Agent({ keepAlive: true, maxSockets: 50 });
  t.after(() => {
    agent.destroy();
  });
  const log = server.errorLog;
  const failures: string[] = [];
  let served = 0;
  // Bounded: the clients stop once every replacement below has been seen through, or
  // at 200,000 requests, whichever comes first.
  let running = true;
  const client = async (): Promise<void> => {
    while (running && served + failures.length < 200_000) {
      try {
        const status = await getStatus(server.url, agent);
        if (status === 200) served += 1;
        else failures.push(`status ${status}`);
      } catch (error) {
        failures.push((error as Error).message);
      }
    }
  };
  const clients = Array.from({ length: 50 }, client);
  const replaced = (signal: string): (() => number) =>
    count(log, new RegExp(`recycling embedded worker \\d+ \\(${signal}\\)`, "g"));
  const stopped = (reason: string): (() => number) =>
    count(log, new RegExp(`embedded worker \\d+ stopped \\(${reason};`, "g"));
  try {
    for (const [signal, reason, after] of [
      ["SIGHUP", "restart_signal", 500],
      ["SIGUSR1", "graceful_signal", 2000],
      ["SIGHUP", "restart_signal", 3500],
    ] as const) {
      await eventually(
        () => served,
        (n) => n >= after,
        HANG_MS,
      );
      const wanted = replaced(signal)() + 2;
      server.child.kill(signal);
      // Both workers replaced (a worker still starting for a recycle is replaced
      // once ready), and every old one gone, under load.
      await eventually(replaced(signal), (n) => n >= wanted, HANG_MS);
      await eventually(stopped(reason), (n) => n >= wanted, HANG_MS);
    }
    await eventually(stopped("maximum_requests"), (n) => n >= 2, HANG_MS);
  } finally {
    running = false;
    await Promise.all(clients);
  }
  assert.deepEqual(failures.slice(0, 5), []);
  assert.doesNotMatch(log(), /connections were lost|killing it/);
});

test("a thread stuck past --interrupt-timeout: its worker is replaced, the other thread's request completes", async (t) => {
  const server = await startServer([
    MISBEHAVE,
    ...EMBEDDED,
    ...["--processes", "1", "--threads", "2", "--request-timeout", "1", "--interrupt-timeout", "1"],
  ]);
  t.after(() => server.stop());
  const before = await pidOf(server.url);
  // One long time.sleep(): mod_wsgi.RequestTimeout cannot interrupt it.
  const stuck = request(`${server.url}block?seconds=60`);
  await eventually(server.errorLog, (log) => /serving \/block/.test(log));
  const other = request(`${server.url}nap?seconds=0.5`);
  assert.equal((await stuck).status, 504);
  assert.equal((await other).status, 200);
  await eventually(server.errorLog, (log) =>
    new RegExp(`recycling embedded worker ${before} \\(--request-timeout\\)`).test(log),
  );
  const after = await newPid(server.url, before);
  assert.notEqual(after, before);
  const log = await eventually(server.errorLog, (text) =>
    new RegExp(`embedded worker ${before} stopped \\(request_timeout; status 0\\)`).test(text),
  );
  // mod_wsgi's process_stopping, with the reason, as the old worker's Python finished.
  assert.match(log, /event process_stopping request_timeout/);
  assert.match(log, /shutdown callback process_stopping request_timeout/);
});

test("Python is finalised as a worker exits: process_stopping and atexit handlers run on a recycle and on a stop", async (t) => {
  const markers = tempDir("wsgi-express-atexit-");
  const server = await startServer(
    [app("interpreter.wsgi"), ...EMBEDDED, "--processes", "1", "--maximum-requests", "2"],
    { env: { ...process.env, WSGI_EXPRESS_TEST_MARKERS: markers } },
  );
  t.after(() => server.stop());
  const pidOfApp = async (): Promise<number> => {
    const reply = await request(server.url);
    assert.equal(reply.status, 200);
    return (JSON.parse(reply.body.toString()) as { pid: number }).pid;
  };
  const first = await pidOfApp();
  await pidOfApp();
  // The second request recycled it (--maximum-requests 2): its atexit handler ran.
  await eventually(() => existsSync(join(markers, `atexit-${first}`)), Boolean);
  const second = await pidOfApp();
  assert.notEqual(second, first);
  assert.equal(await server.stop(), 0);
  for (const pid of [first, second]) {
    assert.ok(existsSync(join(markers, `atexit-${pid}`)));
    assert.ok(existsSync(join(markers, `shutdown-${pid}`)));
  }
});

test("--memory-limit, --restart-interval, --inactivity-timeout and --cpu-time-limit replace a worker, each logged with its option", async (t) => {
  const cases = [
    {
      args: ["--memory-limit", String(300 * 1024 * 1024)],
      poke: "leak?mb=400",
      option: "memory-limit",
    },
    { args: ["--restart-interval", "2"], poke: "pid", option: "restart-interval" },
    { args: ["--inactivity-timeout", "1"], poke: "pid", option: "inactivity-timeout" },
    // The worker's CPU time, node's start-up included: 3 s of spinning passes 3 s.
    { args: ["--cpu-time-limit", "3"], poke: "spin?seconds=3", option: "cpu-time-limit" },
  ];
  for (const { args, poke, option } of cases) {
    const server = await startServer([MISBEHAVE, ...EMBEDDED, "--processes", "1", ...args]);
    t.after(() => server.stop());
    const before = await pidOf(server.url);
    assert.equal((await request(`${server.url}${poke}`)).status, 200);
    await eventually(
      server.errorLog,
      (log) => new RegExp(`recycling embedded worker ${before} \\(--${option}\\)`).test(log),
      HANG_MS,
    );
    await newPid(server.url, before);
    await server.stop();
  }
});

test("--reload-on-changes: editing an imported module replaces the worker", async (t) => {
  const dir = tempDir();
  writeFileSync(join(dir, "helper.py"), "VALUE = 1\n");
  const script = readFileSync(MISBEHAVE, "utf8").replace(
    "import mod_wsgi\n",
    "import mod_wsgi\nimport helper\n",
  );
  writeFileSync(join(dir, "app.wsgi"), script);
  const server = await startServer([
    join(dir, "app.wsgi"),
    ...EMBEDDED,
    ...["--processes", "1", "--reload-on-changes", "--working-directory", dir],
  ]);
  t.after(() => server.stop());
  const before = await pidOf(server.url);
  await eventually(server.errorLog, (log) => /Starting change monitor/.test(log));
  const later = new Date(Date.now() + 5000);
  utimesSync(join(dir, "helper.py"), later, later);
  await newPid(server.url, before);
  await eventually(server.errorLog, (log) =>
    new RegExp(`recycling embedded worker ${before} \\(--reload-on-changes\\)`).test(log),
  );
});
