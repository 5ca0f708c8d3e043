import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import {
  SYSTEM_PYTHON,
  app,
  canDropToNobody,
  dirNobodyCanReach,
  request,
  runCli,
  startServer,
  tempDir,
} from "./harness.js";

/** A real virtual environment with a package that exists only inside it. */
function makeVenv(): string {
  const venv = join(tempDir("wsgi-express-venv-"), "venv");
  execFileSync("python3", ["-m", "venv", "--without-pip", venv]);
  const version = execFileSync(join(venv, "bin", "python"), [
    "-c",
    "import sys; print('%d.%d' % sys.version_info[:2])",
  ])
    .toString()
    .trim();
  const site = join(venv, "lib", `python${version}`, "site-packages", "only_in_venv");
  mkdirSync(site, { recursive: true });
  writeFileSync(join(site, "__init__.py"), "MARKER = 'from-the-venv'\n");
  return venv;
}

interface VenvReport {
  prefix: string;
  marker: string;
}

const withoutVirtualEnv = (): NodeJS.ProcessEnv => {
  const env = { ...process.env };
  delete env.VIRTUAL_ENV;
  return env;
};

/** Nor c8's NODE_V8_COVERAGE, a directory nobody may not write to. */
const forNobody = (): NodeJS.ProcessEnv => {
  const env = withoutVirtualEnv();
  // Set empty, not deleted: node copies a parent's NODE_V8_COVERAGE into a child's
  // environment that lacks it.
  env.NODE_V8_COVERAGE = "";
  return env;
};

test("a virtual environment given by path works without being activated", async (t) => {
  const venv = makeVenv();
  const server = await startServer(
    [app("venv_check.wsgi"), "--python-executable", join(venv, "bin", "python")],
    { env: withoutVirtualEnv() },
  );
  t.after(() => server.stop());
  const report = JSON.parse((await request(server.url)).body.toString()) as VenvReport;
  assert.equal(report.prefix, venv);
  assert.equal(report.marker, "from-the-venv");
  assert.match(server.banner(), new RegExp(`^Python Prefix\\s*: ${venv}$`, "m"));
});

test("an active virtual environment (VIRTUAL_ENV) is used by default", async (t) => {
  const venv = makeVenv();
  const server = await startServer([app("venv_check.wsgi")], {
    env: { ...process.env, VIRTUAL_ENV: venv },
  });
  t.after(() => server.stop());
  const report = JSON.parse((await request(server.url)).body.toString()) as VenvReport;
  assert.equal(report.prefix, venv);
  assert.equal(report.marker, "from-the-venv");
});

test("a path that is not a working Python 3 is refused before anything starts", async () => {
  const notPython = join(tempDir(), "python");
  writeFileSync(notPython, "#!/bin/sh\necho not python\n", { mode: 0o755 });
  for (const executable of [notPython, "/nonexistent/bin/python"]) {
    const result = await runCli([
      "start-server",
      app("hello.wsgi"),
      "--port",
      "0",
      "--python-executable",
      executable,
    ]);
    assert.equal(result.status, 2);
    assert.match(result.stderr, /--python-executable/);
    assert.equal(result.stderr.trim().split("\n").length, 1, result.stderr);
    assert.equal(result.stdout, "");
  }
});

test("a program that is not Python is named with its exit status and first line, not the probe script", async () => {
  const result = await runCli([
    "start-server",
    app("hello.wsgi"),
    "--port",
    "0",
    "--python-executable",
    "/bin/ls",
  ]);
  assert.equal(result.status, 2);
  const [line, ...rest] = result.stderr.trim().split("\n");
  assert.deepEqual(rest, []);
  assert.match(line ?? "", /'\/bin\/ls': it did not run as Python \(exit status 2, saying: /);
  assert.doesNotMatch(line ?? "", /find_spec|json\.dumps/);
  assert.ok((line ?? "").length < 300, line);
});

test(
  "a PATH entry the user may not search is skipped (root's PATH, run as nobody)",
  { skip: !canDropToNobody || !existsSync("/usr/bin/setpriv") },
  async () => {
    const root = dirNobodyCanReach();
    chmodSync(root, 0o777);
    const result = await runCli(
      ["setup-server", app("hello.wsgi"), "--server-root", join(root, "server")],
      {
        launcher: ["setpriv", "--reuid", "nobody", "--regid", "nogroup", "--clear-groups"],
        // /root is closed to nobody: a shell skips such an entry, and so must we.
        env: { ...forNobody(), PATH: `/root/no-such-dir:${dirname(SYSTEM_PYTHON)}` },
        cwd: root,
      },
    );
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /^Python Executable\s*: \/usr\/bin\/python3$/m);
  },
);
