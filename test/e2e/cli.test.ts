import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readFileSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { BIN, ROOT, app, runCli, tempDir } from "./harness.js";

const cases: [string, string[], RegExp][] = [
  ["a non-numeric port", ["--port", "abc"], /--port/],
  ["a missing script", ["/nonexistent/app.wsgi"], /nonexistent\/app\.wsgi/],
  ["an unknown option", ["--no-such-option"], /--no-such-option/],
  [
    "a working directory that does not exist",
    ["--working-directory", "/nonexistent/dir"],
    /--working-directory/,
  ],
  ["zero threads", ["--threads", "0"], /--threads/],
  // The daemon failed to make it, and was restarted again and again.
  [
    "a recorder directory that cannot be made",
    ["--enable-recorder", "--recorder-directory", "/proc/wsgi-express-test/archive"],
    /--recorder-directory/,
  ],
  // node's recursive mkdir never returns there (src/make-directories.ts): it hung.
  [
    "a server root that cannot be made (under /proc)",
    ["--server-root", "/proc/wsgi-express-test/root"],
    /--server-root/,
  ],
];

for (const [name, args, names] of cases) {
  test(`the real binary refuses ${name} with one line and status 2`, async () => {
    const script = args[0]?.startsWith("/nonexistent/app") ? [] : [app("hello.wsgi")];
    const result = await runCli(["start-server", ...script, ...args]);
    assert.equal(result.status, 2);
    assert.match(result.stderr, names);
    assert.equal(result.stderr.trim().split("\n").length, 1, result.stderr);
    assert.doesNotMatch(result.stderr, /\n\s+at /);
  });
}

// Found at start-up, after the options resolved: status 1, as for a port in use. Both
// printed "internal error"; the pid file's also left the server listening, for good.
const startupFailures: [string, string[], RegExp][] = [
  [
    "a pid file that cannot be written",
    ["--pid-file", "/proc/wsgi-express-test/pid"],
    /^wsgi-express: error: --pid-file: cannot write/,
  ],
  [
    "a socket prefix that cannot be made",
    ["--socket-prefix", "/proc/wsgi-express-test/s"],
    /^wsgi-express: error: --socket-prefix: cannot make the socket directory/,
  ],
];

for (const [name, args, message] of startupFailures) {
  test(`the real binary stops on ${name} with one line and status 1`, async () => {
    const result = await runCli(["start-server", app("hello.wsgi"), "--port", "0", ...args]);
    assert.equal(result.status, 1);
    assert.match(result.stderr, message);
    assert.equal(result.stderr.trim().split("\n").length, 1, result.stderr);
  });
}

test("a server root too long for the daemons' Unix socket is refused, pointing at --socket-prefix", async () => {
  const root = join(tempDir(), "r".repeat(100));
  const result = await runCli(["start-server", app("hello.wsgi"), "--server-root", root]);
  assert.equal(result.status, 2);
  assert.match(
    result.stderr,
    /^wsgi-express: error: --server-root: expected a path short enough for a Unix socket .*--socket-prefix/,
  );
});

test("a failure nothing expected, once the server listens, ends the process: one line, status 1", async () => {
  // The daemons' socket cannot be cleared away: the server was left listening for good.
  const root = tempDir();
  mkdirSync(join(root, "sockets", "daemon.sock"), { recursive: true });
  const result = await runCli([
    "start-server",
    app("hello.wsgi"),
    "--port",
    "0",
    "--server-root",
    root,
  ]);
  assert.equal(result.status, 1);
  assert.match(result.stderr, /^wsgi-express: internal error: /);
  assert.equal(result.stderr.trim().split("\n").length, 1, result.stderr);
});

test("a pool the machine cannot hold is refused before any process starts", async () => {
  // setup-server, not start-server: were the check ever lost, this starts no daemons.
  const serverRoot = tempDir();
  const result = await runCli([
    "setup-server",
    app("hello.wsgi"),
    "--processes",
    "100000000",
    "--server-root",
    serverRoot,
  ]);
  assert.equal(result.status, 2);
  assert.match(
    result.stderr,
    /^wsgi-express: error: --processes: expected at most \d+ daemon processes on this machine \(each /,
  );
  assert.equal(result.stderr.trim().split("\n").length, 1, result.stderr);
});

test("mod_wsgi-express is a second name for the same program", () => {
  const manifest = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
    bin: Record<string, string>;
  };
  assert.equal(manifest.bin["mod_wsgi-express"], manifest.bin["wsgi-express"]);
});

test("--help is generated from the option table", async () => {
  const result = await runCli(["start-server", "--help"]);
  assert.equal(result.status, 0);
  assert.match(result.stdout, /--processes/);
  assert.match(result.stdout, /--python-executable/);
});

test("help into a pipe whose reader has gone (as `| head` leaves it) ends quietly, status 0", async () => {
  const child = spawn(process.execPath, [BIN, "start-server", "--help"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  // Our end of its stdout closes before it writes: every write it makes meets EPIPE.
  child.stdout.destroy();
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const status = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  assert.equal(stderr, "");
  assert.equal(status, 0);
});

test("the top-level --help lists the commands, replay included", async () => {
  const result = await runCli(["--help"]);
  assert.equal(result.status, 0);
  for (const command of ["start-server", "setup-server", "replay DIRECTORY URL"]) {
    assert.ok(result.stdout.includes(command), `${command} missing from:\n${result.stdout}`);
  }
});

test("--version prints the package version; usage names mod_wsgi-express when run by that name", async () => {
  const manifest = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
    version: string;
  };
  const version = await runCli(["--version"]);
  assert.equal(version.status, 0);
  assert.equal(version.stdout, `${manifest.version}\n`);
  const link = join(tempDir(), "mod_wsgi-express");
  symlinkSync(BIN, link);
  const child = spawn(process.execPath, [link, "start-server", "--help"], { stdio: "pipe" });
  let stdout = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  await new Promise((resolve) => child.once("exit", resolve));
  assert.match(stdout, /^Usage: mod_wsgi-express start-server/);
  assert.match(stdout, /^Timeouts:$/m);
});

/** The environment without c8's NODE_V8_COVERAGE, which nobody may not write to. */
function withoutCoverage(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env = { ...process.env, ...extra };
  // Set empty, not deleted: node copies a parent's NODE_V8_COVERAGE into a child's
  // environment that lacks it.
  env.NODE_V8_COVERAGE = "";
  return env;
}

test("an existing server root the user cannot write to names --server-root", async () => {
  const parent = tempDir();
  chmodSync(parent, 0o755);
  const root = join(parent, "root");
  mkdirSync(root, { mode: 0o555 });
  chmodSync(root, 0o555);
  // Root may write anywhere: run as nobody, as a user who meets this would be.
  const asRoot = process.getuid?.() === 0;
  if (asRoot && !existsSync("/usr/bin/setpriv")) return;
  const launcher = asRoot
    ? ["setpriv", "--reuid", "nobody", "--regid", "nogroup", "--clear-groups"]
    : [];
  const result = await runCli(
    ["start-server", app("hello.wsgi"), "--port", "0", "--server-root", root],
    { launcher, env: withoutCoverage({ PATH: "/usr/bin:/bin" }), cwd: parent },
  );
  assert.equal(result.status, 2, result.stderr);
  assert.match(
    result.stderr,
    /^wsgi-express: error: --server-root: expected a directory this user can create or write to \(EACCES/,
  );
  assert.doesNotMatch(result.stderr, /--document-root/);
  assert.equal(result.stderr.trim().split("\n").length, 1, result.stderr);
});
