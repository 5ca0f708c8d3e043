import { test } from "node:test";
import assert from "node:assert/strict";
import type { ProbeResult } from "../../../src/config/context.js";
import { readProbe } from "../../../src/config/python-probe.js";
import { resolveConfig } from "../../../src/config/resolve.js";
import { SYSTEM_PYTHON, fakeContext, fakeFiles, fakeProbe, parseArgs } from "./fakes.js";

const VENV = "/work/venv";
const VENV_PYTHON = "/work/venv/bin/python";

const VENV_311: ProbeResult = {
  ok: true,
  versionInfo: [3, 11, 7, "final", 0],
  version: "3.11.7 (main)",
  prefix: VENV,
};

/** Files with a virtual environment whose bin/python is (in real life) a symlink. */
function venvFiles() {
  const files = fakeFiles();
  files.directories.add(VENV);
  files.files.add(VENV_PYTHON);
  files.executables.add(VENV_PYTHON);
  return files;
}

async function pythonFor(argv: string[], env: Record<string, string>, probe = fakeProbe()) {
  const context = fakeContext({ env, files: venvFiles(), probePython: probe });
  const config = await resolveConfig(parseArgs(["start-server", ...argv], env), context);
  return config.daemons.python;
}

test("an active virtual environment (VIRTUAL_ENV) is the default", async () => {
  const probe = fakeProbe(VENV_311);
  const python = await pythonFor([], { VIRTUAL_ENV: VENV, PATH: "/usr/bin" }, probe);
  assert.equal(python.executable, VENV_PYTHON);
  assert.equal(python.prefix, VENV);
  assert.deepEqual(probe.calls, [VENV_PYTHON]);
});

test("without VIRTUAL_ENV, python3 is the first executable one on PATH", async () => {
  const python = await pythonFor([], { PATH: "/nowhere::/usr/bin:/usr/local/bin" });
  assert.equal(python.executable, SYSTEM_PYTHON);
});

test("--python-executable wins over VIRTUAL_ENV and is kept as given", async () => {
  const env = { VIRTUAL_ENV: "/elsewhere", PATH: "/usr/bin" };
  assert.equal(
    (await pythonFor(["--python-executable", VENV_PYTHON], env)).executable,
    VENV_PYTHON,
  );
  // Relative to the cwd (/work/app), not resolved through any symlink.
  const relative = await pythonFor(["--python-executable", "../venv/bin/python"], env);
  assert.equal(relative.executable, VENV_PYTHON);
});

test("--python-executable may name a virtual environment directory", async () => {
  const python = await pythonFor(["--python-executable", VENV], { PATH: "/usr/bin" });
  assert.equal(python.executable, VENV_PYTHON);
});

const REFUSED: [string, string[], Record<string, string>, ProbeResult?][] = [
  ["a path that does not exist", ["--python-executable", "/nope/python"], {}],
  ["a file that is not executable", ["--python-executable", "/work/app/readme.txt"], {}],
  ["a VIRTUAL_ENV without bin/python", [], { VIRTUAL_ENV: "/work/other" }],
  ["no python3 on PATH", [], { PATH: "/work/other" }],
  ["no PATH at all", [], {}],
  ["something that is not Python", [], { PATH: "/usr/bin" }, { ok: false, reason: "exit 1" }],
  [
    "Python 3.8",
    [],
    { PATH: "/usr/bin" },
    { ...VENV_311, versionInfo: [3, 8, 10], version: "3.8.10" },
  ],
  [
    "Python 2",
    [],
    { PATH: "/usr/bin" },
    { ...VENV_311, versionInfo: [2, 7, 18], version: "2.7.18" },
  ],
  ["a probe without version numbers", [], { PATH: "/usr/bin" }, { ...VENV_311, versionInfo: [] }],
];

for (const [name, argv, env, result] of REFUSED) {
  test(`${name} is refused with WSGIX_ERR_PYTHON`, async () => {
    await assert.rejects(pythonFor(argv, env, fakeProbe(result)), {
      code: "WSGIX_ERR_PYTHON",
      exitCode: 2,
    });
  });
}

test("--enable-coverage is refused when the probe finds no coverage.py", async () => {
  const probe = fakeProbe({ ...VENV_311, coverage: false });
  await assert.rejects(pythonFor(["--enable-coverage"], { PATH: "/usr/bin" }, probe), {
    code: "WSGIX_ERR_COVERAGE",
    exitCode: 2,
  });
  const found = fakeProbe({ ...VENV_311, coverage: true });
  assert.ok(await pythonFor(["--enable-coverage"], { PATH: "/usr/bin" }, found));
});

test("Python 3.9 and 4.0 are accepted", async () => {
  for (const versionInfo of [
    [3, 9, 0],
    [4, 0, 0],
  ]) {
    const probe = fakeProbe({ ...VENV_311, versionInfo });
    assert.ok(await pythonFor([], { PATH: "/usr/bin" }, probe));
  }
});

test("the probe's output is read as JSON and checked", () => {
  const good = readProbe(
    '{"version_info": [3, 12, 1, "final", 0], "version": "3.12.1 x", "prefix": "/p"}\n',
  );
  assert.deepEqual(good, {
    ok: true,
    versionInfo: [3, 12, 1, "final", 0],
    version: "3.12.1 x",
    prefix: "/p",
    coverage: false,
    pasteDeploy: false,
    freeThreaded: false,
  });
  assert.equal(readProbe("not python").ok, false);
  assert.equal(readProbe('{"version": 3}').ok, false);
  assert.equal(readProbe("null").ok, false);
});

/** An Error as fs throws it when a directory on the way may not be searched. */
function eacces(path: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`EACCES: permission denied, stat '${path}'`), {
    code: "EACCES",
  });
}

test("a PATH entry the user may not search is skipped, as a shell skips it", async () => {
  const files = fakeFiles();
  const { directories, files: known } = files;
  files.isFile = (path) => {
    if (path.startsWith("/root/")) throw eacces(path);
    return known.has(path) && !directories.has(path);
  };
  const context = fakeContext({ env: { PATH: "/root/.pyenv/shims:/usr/bin" }, files });
  const config = await resolveConfig(parseArgs(["start-server"]), context);
  assert.equal(config.daemons.python.executable, SYSTEM_PYTHON);
});

test("with no python3 on PATH, the entries that could not be searched are named", async () => {
  const files = fakeFiles();
  files.isFile = (path) => {
    throw eacces(path);
  };
  const context = fakeContext({ env: { PATH: "/root/bin" }, files });
  await assert.rejects(resolveConfig(parseArgs(["start-server"]), context), (error: Error) => {
    assert.equal((error as { code?: string }).code, "WSGIX_ERR_PYTHON");
    assert.match(error.message, /could not search \/root\/bin \(EACCES\)/);
    return true;
  });
});

test("--application-type paste is refused, naming PasteDeploy, when the probe finds none", async () => {
  const argv = ["--application-type", "paste"];
  const probe = fakeProbe({ ...VENV_311, pasteDeploy: false });
  await assert.rejects(pythonFor(argv, { PATH: "/usr/bin" }, probe), {
    code: "WSGIX_ERR_PASTE_DEPLOY",
    message: /pip install PasteDeploy/,
  });
  const found = fakeProbe({ ...VENV_311, pasteDeploy: true });
  assert.ok(await pythonFor(argv, { PATH: "/usr/bin" }, found));
});
