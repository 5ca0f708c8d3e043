import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { app, eventually, request, runCli, startServer, tempDir } from "./harness.js";

const run = promisify(execFile);

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A zombie left for init to reap still answers kill(0).
  const stat = `/proc/${pid}/stat`;
  return !existsSync(stat) || !/\) Z /.test(readFileSync(stat, "utf8"));
}

for (const command of [["setup-server"], ["start-server", "--setup-only"]]) {
  test(`${command.join(" ")} writes the server root and prints the banner without serving`, async () => {
    const root = join(tempDir(), "root");
    const result = await runCli([
      ...command,
      app("hello.wsgi"),
      "--host",
      "127.0.0.1",
      "--port",
      "0",
      "--server-root",
      root,
    ]);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /^Server Root\s*: .*\/root$/m);
    assert.match(result.stdout, /^Control Script\s*: .*\/root\/apachectl$/m);
    assert.equal(statSync(join(root, "apachectl")).mode & 0o777, 0o755);
    assert.ok(existsSync(join(root, "envvars")));
    const saved = JSON.parse(readFileSync(join(root, "wsgi-express.json"), "utf8")) as {
      args: string[];
    };
    assert.ok(saved.args.includes(app("hello.wsgi")));
    assert.ok(!saved.args.includes("--setup-only"));
    assert.equal(existsSync(join(root, "httpd.pid")), false);
    assert.equal(existsSync(join(root, "error_log")), false);
  });
}

test("the control script starts, checks, signals and stops the server from any directory", async (t) => {
  const root = join(tempDir(), "root");
  const setup = await runCli([
    "setup-server",
    app("hello.wsgi"),
    "--host",
    "127.0.0.1",
    "--port",
    "0",
    "--server-root",
    root,
  ]);
  assert.equal(setup.status, 0, setup.stderr);
  const control = join(root, "apachectl");
  const pidFile = join(root, "httpd.pid");
  t.after(async () => {
    if (existsSync(pidFile)) await run(control, ["stop"], { cwd: "/" }).catch(() => undefined);
  });
  // The shell that runs `start` exits at once; the server must outlive it.
  const started = await run(control, ["start"], { cwd: "/" });
  assert.match(started.stdout, /started \(pid \d+\)/);
  const pid = Number(readFileSync(pidFile, "utf8"));
  const out = await eventually(
    () => readFileSync(join(root, "wsgi-express.out"), "utf8"),
    (text) => /^Application\s*:/m.test(text),
  );
  const url = /^Server URL\s*: (\S+)$/m.exec(out)?.[1] ?? "";
  assert.equal((await request(url)).status, 200);
  const again = await run(control, ["start"], { cwd: "/" }).catch((error: unknown) => error);
  assert.match(String((again as { stderr?: string }).stderr), /already running/);
  const check = await run(control, ["configtest"], { cwd: "/" });
  assert.match(check.stdout, /Syntax OK/);
  // graceful and restart send SIGUSR1 and SIGHUP: the server restarts its daemons and
  // goes on serving under the same pid.
  await run(control, ["graceful"], { cwd: "/" });
  await run(control, ["restart"], { cwd: "/" });
  assert.equal(alive(pid), true);
  assert.equal((await request(url)).status, 200);
  const stopped = await run(control, ["stop"], { cwd: "/" });
  assert.match(stopped.stdout, /stopped/);
  // stop returns only once the server has gone, pid file and all.
  assert.equal(alive(pid), false);
  assert.equal(existsSync(pidFile), false);
});

test("--pid-file holds the server's pid while it runs and is removed at exit", async () => {
  const pidFile = join(tempDir(), "server.pid");
  const server = await startServer([app("hello.wsgi"), "--pid-file", pidFile]);
  assert.equal(Number(readFileSync(pidFile, "utf8")), server.child.pid);
  assert.equal(await server.stop(), 0);
  assert.equal(existsSync(pidFile), false);
});

test("--envvars-script is sourced before the Python processes start", async (t) => {
  const dir = tempDir();
  const script = join(dir, "vars.sh");
  await run("/bin/sh", ["-c", `echo 'export ENVVARS_WAS_HERE=yes' > '${script}'`]);
  const server = await startServer([app("process_facts.wsgi"), "--envvars-script", script]);
  t.after(() => server.stop());
  const facts = JSON.parse((await request(server.url)).body.toString()) as {
    environ: Record<string, string>;
  };
  assert.equal(facts.environ["ENVVARS_WAS_HERE"], "yes");
  assert.match(readFileSync(join(server.serverRoot, "envvars"), "utf8"), /vars\.sh/);
});

test("--startup-log keeps the start-up banner in the startup log", async () => {
  const server = await startServer([
    app("hello.wsgi"),
    "--startup-log",
    "--startup-log-name",
    "boot.log",
  ]);
  assert.equal(await server.stop(), 0);
  const log = readFileSync(join(server.serverRoot, "boot.log"), "utf8");
  assert.match(log, /^Server URL\s*: http:\/\/127\.0\.0\.1:\d+\/$/m);
});
