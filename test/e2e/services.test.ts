import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT, app, eventually, startServer } from "./harness.js";

const service = (name: string): string => join(ROOT, "test", "fixtures", "services", name);

test("--service-script runs the script in its own process; --service-log-file gets its output", async () => {
  const server = await startServer([
    app("hello.wsgi"),
    "--service-script",
    "facts",
    service("facts_service.py"),
    "--service-log-file",
    "facts",
    "facts.log",
  ]);
  const logPath = join(server.serverRoot, "facts.log");
  const read = (): string => (existsSync(logPath) ? readFileSync(logPath, "utf8") : "");
  const log = await eventually(read, (text) => /facts: \{/.test(text));
  const facts = JSON.parse(/facts: (\{.*\})$/m.exec(log)?.[1] ?? "{}") as {
    process_group: string;
    pid: number;
    cwd: string;
  };
  // import mod_wsgi works, and the service is a process group of its own.
  assert.equal(facts.process_group, "service:facts");
  assert.notEqual(facts.pid, server.child.pid);
  assert.equal(facts.cwd, ROOT.replace(/\/$/, ""));
  assert.match(log, /\[wsgi:error\] \[pid \d+\] facts: /);
  assert.doesNotMatch(server.errorLog(), /facts: /);
  // On shutdown SIGTERM raises SystemExit in the script, which can clean up.
  assert.equal(await server.stop(), 0);
  assert.match(read(), /service got SystemExit/);
});

test("--service-log (the 4.4.11 spelling) is accepted; without a log file output goes to the error log", async (t) => {
  const server = await startServer([
    app("hello.wsgi"),
    "--service-script",
    "one",
    service("facts_service.py"),
    "--service-script",
    "two",
    service("facts_service.py"),
    "--service-log",
    "one",
    "one.log",
  ]);
  t.after(() => server.stop());
  await eventually(server.errorLog, (text) => /facts: .*"service:two"/.test(text));
  const one = join(server.serverRoot, "one.log");
  await eventually(
    () => (existsSync(one) ? readFileSync(one, "utf8") : ""),
    (text) => /"service:one"/.test(text),
  );
  assert.doesNotMatch(server.errorLog(), /"service:one"/);
  assert.doesNotMatch(server.stderr(), /not supported/);
});

test("a service that exits is restarted, with a growing delay", async (t) => {
  const server = await startServer([
    app("hello.wsgi"),
    "--log-level",
    "info",
    "--service-script",
    "brief",
    service("short_lived.py"),
  ]);
  t.after(() => server.stop());
  const log = await eventually(
    server.errorLog,
    (text) => (text.match(/short-lived service \d+ ran/g) ?? []).length >= 3,
  );
  assert.match(log, /service brief \(pid \d+\) exited with status 3; restarting in \d/);
  const pids = new Set([...log.matchAll(/short-lived service (\d+) ran/g)].map((m) => m[1]));
  assert.ok(pids.size >= 3);
});

test("a --service-user/--service-group for a service that does not exist is refused", async () => {
  const { runCli } = await import("./harness.js");
  const result = await runCli([
    "start-server",
    app("hello.wsgi"),
    "--service-user",
    "ghost",
    "nobody",
  ]);
  assert.equal(result.status, 2);
  assert.match(result.stderr, /--service-user.*'ghost'/);
});

test("Ctrl-C (SIGINT to the process group): the front end stops the service itself", async (t) => {
  const server = await startServer(
    [app("hello.wsgi"), "--service-script", "facts", service("facts_service.py")],
    { processGroup: true },
  );
  t.after(() => server.stop());
  await eventually(server.errorLog, (text) => /facts: \{/.test(text));
  const startedWith = server.errorLog().length;
  const exited = new Promise((resolve) => server.child.once("exit", resolve));
  // The terminal signals every process in its foreground group at once.
  process.kill(-(server.child.pid ?? 0), "SIGINT");
  assert.equal(await exited, 0);
  const log = server.errorLog().slice(startedWith);
  // Stopped by the front end's SIGTERM (SystemExit), not killed by the terminal's
  // SIGINT (KeyboardInterrupt) racing it, which the front end took for a crash.
  assert.match(log, /service got SystemExit/);
  assert.doesNotMatch(log, /KeyboardInterrupt|restarting/);
});

test("a service whose front end is killed outright stops too", async (t) => {
  const server = await startServer([
    app("hello.wsgi"),
    "--service-script",
    "facts",
    service("facts_service.py"),
  ]);
  t.after(() => server.stop());
  const text = await eventually(server.errorLog, (log) => /facts: \{/.test(log));
  const pid = (JSON.parse(/facts: (\{.*\})$/m.exec(text)?.[1] ?? "{}") as { pid: number }).pid;
  server.child.kill("SIGKILL");
  // It has no parent left to stop it: it notices and ends (the deadline bounds a hang).
  await eventually(
    () => (isAlive(pid) ? "alive" : "gone"),
    (state) => state === "gone",
    30_000,
  );
});

/** Running: not gone, and not a zombie nobody has reaped yet (in a container, PID 1
 *  may never reap an orphan). */
function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${String(pid)}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}
