/**
 * Issue #3, recycling and reloading: each rule replaces the process gracefully (the
 * client never sees it) and says so in the log; process_stopping carries the reason.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { eventually, request, startServer, tempDir } from "./harness.js";
import { MISBEHAVE, newPid, pidOf } from "./supervision-helpers.js";

const INFO = ["--log-level", "info"];

test("--maximum-requests: replaced after N requests, every request served, process_stopping says why", async (t) => {
  // More threads than --maximum-requests: a thread connecting is not a request.
  const server = await startServer([
    MISBEHAVE,
    ...["--maximum-requests", "3", "--processes", "1", "--threads", "5", ...INFO],
  ]);
  t.after(() => server.stop());
  const first = await pidOf(server.url);
  assert.equal(await pidOf(server.url), first);
  assert.doesNotMatch(server.errorLog(), /recycling/, "recycled before its third request");
  // The third request triggers it; the old process serves on until its replacement is
  // ready, so the pid changes later.
  await newPid(server.url, first);
  await eventually(server.errorLog, (log) =>
    /shutdown callback process_stopping maximum_requests/.test(log),
  );
  await eventually(server.errorLog, (log) =>
    /recycling daemon process \d+ \(--maximum-requests\)/.test(log),
  );
  await eventually(server.errorLog, (log) => /event process_stopping maximum_requests/.test(log));
});

test("--restart-interval: replaced after that much uptime", async (t) => {
  const server = await startServer([MISBEHAVE, "--restart-interval", "1", ...INFO]);
  t.after(() => server.stop());
  await newPid(server.url, await pidOf(server.url));
  await eventually(server.errorLog, (log) => /\(--restart-interval\)/.test(log));
});

test("--inactivity-timeout: replaced when idle; --ignore-activity requests do not count", async (t) => {
  const server = await startServer([
    MISBEHAVE,
    ...["--inactivity-timeout", "1", "--ignore-activity", "/health", ...INFO],
  ]);
  t.after(() => server.stop());
  const before = await pidOf(server.url);
  const deadline = Date.now() + 20_000;
  // Health checks keep coming, yet the process counts as idle.
  while (!/\(--inactivity-timeout\)/.test(server.errorLog())) {
    assert.equal((await request(`${server.url}health`)).status, 200);
    assert.ok(Date.now() < deadline, "no inactivity recycle");
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await newPid(server.url, before);
});

test("--memory-limit: a process whose RSS passes it is replaced gracefully", async (t) => {
  const server = await startServer([
    MISBEHAVE,
    "--memory-limit",
    String(120 * 1024 * 1024),
    ...INFO,
  ]);
  t.after(() => server.stop());
  const before = await pidOf(server.url);
  assert.equal((await request(`${server.url}leak?mb=160`)).status, 200);
  await newPid(server.url, before);
  await eventually(server.errorLog, (log) => /over --memory-limit/.test(log));
  await eventually(server.errorLog, (log) => /event process_stopping memory_limit/.test(log));
});

test("--virtual-memory-limit: an allocation past it fails with MemoryError (500), the process lives on", async (t) => {
  const server = await startServer([
    MISBEHAVE,
    "--virtual-memory-limit",
    String(600 * 1024 * 1024),
  ]);
  t.after(() => server.stop());
  const before = await pidOf(server.url);
  assert.equal((await request(`${server.url}allocate?mb=1024`)).status, 500);
  await eventually(server.errorLog, (log) => /MemoryError/.test(log));
  assert.equal(await pidOf(server.url), before);
});

test("--cpu-time-limit: SIGXCPU recycles the process; the spinning request still completes", async (t) => {
  const server = await startServer([MISBEHAVE, "--cpu-time-limit", "1", ...INFO]);
  t.after(() => server.stop());
  const before = await pidOf(server.url);
  assert.equal((await request(`${server.url}spin?seconds=2.5`)).status, 200);
  await newPid(server.url, before);
  await eventually(server.errorLog, (log) => /\(--cpu-time-limit\)/.test(log));
  await eventually(server.errorLog, (log) => /event process_stopping cpu_time_limit/.test(log));
});

test("script reloading: touching the WSGI script restarts the daemons gracefully, unless --disable-reloading", async (t) => {
  const dir = tempDir();
  const script = join(dir, "app.wsgi");
  copyFileSync(MISBEHAVE, script);
  const server = await startServer([script, ...INFO]);
  t.after(() => server.stop());
  const fixed = await startServer([script, "--disable-reloading", ...INFO]);
  t.after(() => fixed.stop());
  const before = await pidOf(server.url);
  const fixedBefore = await pidOf(fixed.url);
  const later = new Date(Date.now() + 5000);
  utimesSync(script, later, later);
  await newPid(server.url, before);
  await eventually(server.errorLog, (log) => /WSGI script file .*app\.wsgi changed/.test(log));
  await eventually(server.errorLog, (log) => /event process_stopping script_reload/.test(log));
  assert.equal(await pidOf(fixed.url), fixedBefore);
  assert.doesNotMatch(fixed.errorLog(), /changed/);
});

test("script reloading: the very next request after an edit runs the new code, in every process", async (t) => {
  const script = join(tempDir(), "app.wsgi");
  const version = (text: string) =>
    `def application(environ, start_response):\n    start_response("200 OK", [])\n    return [b"${text}"]\n`;
  writeFileSync(script, version("one"));
  const server = await startServer([script, "--processes", "2", "--threads", "2"]);
  t.after(() => server.stop());
  assert.equal((await request(server.url)).body.toString(), "one");
  writeFileSync(script, version("two"));
  // A later mtime however coarse the file system's clock (mod_wsgi compares mtimes).
  const later = new Date(Date.now() + 5000);
  utimesSync(script, later, later);
  const bodies = await Promise.all(
    Array.from({ length: 6 }, async () => (await request(server.url)).body.toString()),
  );
  assert.deepEqual(bodies, Array<string>(6).fill("two"));
});

test("--reload-on-changes: editing an imported module restarts the daemon, logged as mod_wsgi's monitor does", async (t) => {
  const dir = tempDir();
  writeFileSync(join(dir, "helper.py"), "VALUE = 1\n");
  writeFileSync(
    join(dir, "app.wsgi"),
    readFileSync(MISBEHAVE, "utf8").replace(
      "import mod_wsgi\n",
      "import mod_wsgi\nimport helper\n",
    ),
  );
  const server = await startServer([
    join(dir, "app.wsgi"),
    ...["--reload-on-changes", "--working-directory", dir, ...INFO],
  ]);
  t.after(() => server.stop());
  const before = await pidOf(server.url);
  await eventually(server.errorLog, (log) => /Starting change monitor/.test(log));
  const later = new Date(Date.now() + 5000);
  utimesSync(join(dir, "helper.py"), later, later);
  await newPid(server.url, before);
  await eventually(server.errorLog, (log) =>
    /monitor \(pid=\d+\): Change detected to ".*helper\.py"\./.test(log),
  );
  await eventually(server.errorLog, (log) => /Triggering process restart\./.test(log));
});

test("--graceful-timeout then --shutdown-timeout: a request outliving both is cut (502) and its process killed", async (t) => {
  const server = await startServer([
    MISBEHAVE,
    ...["--maximum-requests", "2", "--graceful-timeout", "1", "--shutdown-timeout", "1", ...INFO],
  ]);
  t.after(() => server.stop());
  const before = await pidOf(server.url);
  const stuck = request(`${server.url}block?seconds=60`);
  await eventually(server.errorLog, (log) => /serving \/block/.test(log));
  await pidOf(server.url); // the second request: --maximum-requests reached
  const started = Date.now();
  assert.equal((await stuck).status, 502);
  assert.ok(Date.now() - started < 30_000);
  await newPid(server.url, before);
  const stopped = new RegExp(`daemon process ${before} stopped \\(maximum_requests\\)`);
  const log = await eventually(server.errorLog, (text) => stopped.test(text));
  assert.match(log, /event process_stopping maximum_requests/);
});

test("a replacement that fails to load the edited script does not take over: the old process serves on", async (t) => {
  const dir = tempDir();
  const script = join(dir, "app.wsgi");
  const good = readFileSync(MISBEHAVE, "utf8");
  writeFileSync(script, good);
  const server = await startServer([script, "--working-directory", dir]);
  t.after(() => server.stop());
  const before = await pidOf(server.url);
  writeFileSync(script, 'raise ImportError("edited into a broken state, on purpose")\n');
  await eventually(server.errorLog, (log) => /serve on until a replacement loads it/.test(log));
  for (let i = 0; i < 5; i++) assert.equal(await pidOf(server.url), before);
  // The old process's next request tried the edit (script reloading) and kept its app.
  assert.match(server.errorLog(), /the application loaded before serves on/);
  writeFileSync(script, good);
  await newPid(server.url, before);
});
