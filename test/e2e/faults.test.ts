/**
 * Issue #7, faults: an unusable log location refuses cleanly with one line, a log that
 * fails at run time is reported once while the server keeps serving.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { test } from "node:test";
import { app, eventually, request, runCli, startServer, tempDir } from "./harness.js";

const HELLO = app("hello.wsgi");

async function refused(args: string[]): Promise<{ status: number | null; stderr: string }> {
  const result = await runCli([
    "start-server",
    HELLO,
    "--host",
    "127.0.0.1",
    "--port",
    "0",
    ...args,
  ]);
  return { status: result.status, stderr: result.stderr };
}

test("a log directory under a regular file: one line naming the option, exit 2", async () => {
  const root = tempDir();
  writeFileSync(join(root, "file"), "");
  const logs = join(root, "file", "logs");
  const { status, stderr } = await refused([
    "--server-root",
    join(root, "sr"),
    "--log-directory",
    logs,
  ]);
  assert.equal(status, 2);
  assert.match(stderr, /^wsgi-express: error: --log-directory: .*file\/logs'\n$/);
});

test("a log file that cannot be opened: one line naming the path, exit 1", async () => {
  const root = tempDir();
  // The error log's name is taken by a directory: EISDIR even for root.
  mkdirSync(join(root, "error_log"));
  const { status, stderr } = await refused(["--server-root", root]);
  assert.equal(status, 1);
  assert.match(
    stderr,
    /^wsgi-express: error: --log-directory: cannot open the error log .*error_log for writing: EISDIR\n$/,
  );
});

test("a log directory in /proc: refused with one line, no stack trace", async (t) => {
  if (!existsSync("/proc/1")) {
    t.skip("no /proc");
    return;
  }
  const { status, stderr } = await refused([
    "--server-root",
    tempDir(),
    "--log-directory",
    "/proc/1",
  ]);
  assert.ok(status === 1 || status === 2, `exit ${String(status)}`);
  assert.equal(stderr.split("\n").filter(Boolean).length, 1, stderr);
  assert.match(stderr, /^wsgi-express: error: --log-directory: .*\/proc\/1/);
});

test("a full disk under the logs: reported once per log, requests still served", async (t) => {
  if (!existsSync("/dev/full")) {
    t.skip("no /dev/full");
    return;
  }
  const logs = tempDir();
  // /dev/full accepts the open and fails every write with ENOSPC.
  symlinkSync("/dev/full", join(logs, "error_log"));
  symlinkSync("/dev/full", join(logs, "access_log"));
  const server = await startServer([
    HELLO,
    "--log-directory",
    logs,
    "--access-log",
    "--log-level",
    "info",
  ]);
  t.after(() => server.stop());
  for (let i = 0; i < 5; i++) {
    const response = await request(server.url);
    assert.equal(response.status, 200);
  }
  const failed = (): string[] =>
    server
      .stderr()
      .split("\n")
      .filter((line) => line.includes("write failed"))
      .map((line) => line.replace(/ \/\S*\/(\w+_log):/, " $1:"))
      .sort();
  await eventually(failed, (lines) => lines.length >= 2);
  assert.equal((await request(server.url)).status, 200);
  assert.deepEqual(failed(), [
    "wsgi-express: access log access_log: write failed: ENOSPC; further log lines are dropped",
    "wsgi-express: error log error_log: write failed: ENOSPC; further log lines are dropped",
  ]);
});

test("out of descriptors: refused connections are logged once, service resumes", async (t) => {
  if (!existsSync("/usr/bin/prlimit") || !existsSync("/proc/self/limits")) {
    t.skip("no prlimit");
    return;
  }
  // 128 descriptors: the connection cap (51) comes before accept() would meet EMFILE.
  // (64 was too few for node to load the front end's modules, which it opens in parallel.)
  const server = await startServer([HELLO], { launcher: ["/usr/bin/prlimit", "--nofile=128:128"] });
  t.after(() => server.stop());
  const sockets = Array.from({ length: 120 }, () => {
    const socket = connect(server.port, "127.0.0.1");
    socket.on("error", () => undefined);
    return socket;
  });
  t.after(() => {
    for (const socket of sockets) socket.destroy();
  });
  const refusals = (): number => server.errorLog().split("refusing more").length - 1;
  await eventually(refusals, (count) => count >= 1);
  for (const socket of sockets) socket.destroy();
  // The server sees the closes asynchronously: a request may still be dropped at first.
  let status = 0;
  for (let attempt = 0; attempt < 20 && status !== 200; attempt++) {
    status = await request(server.url).then(
      (response) => response.status,
      () => 0,
    );
    if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.equal(status, 200);
  assert.equal(refusals(), 1);
  assert.equal(server.child.exitCode, null);
});
