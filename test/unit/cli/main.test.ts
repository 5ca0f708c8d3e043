import { test } from "node:test";
import assert from "node:assert/strict";
import { execute, main, type MainDeps } from "../../../src/cli/main.js";
import type { MainIo } from "../../../src/cli/main-io.js";
import type { ServerConfig } from "../../../src/config/server-config.js";
import type { ErrorCode } from "../../../src/errors.js";
import { BASE_ENV, CWD, Capture, fakeFiles, fakeProbe } from "../config/fakes.js";

interface Harness {
  readonly io: MainIo & { stdout: Capture; stderr: Capture };
  readonly deps: Partial<MainDeps>;
  readonly served: ServerConfig[];
  readonly made: string[];
}

function harness(overrides: Partial<MainDeps> = {}): Harness {
  const served: ServerConfig[] = [];
  const made: string[] = [];
  const io = { stdout: new Capture(), stderr: new Capture(), env: BASE_ENV, cwd: CWD };
  const deps: Partial<MainDeps> = {
    files: fakeFiles(),
    probePython: fakeProbe(),
    makeDirectory: (path) => made.push(path),
    writeServerRoot: () => undefined,
    uid: 1000,
    pid: 4242,
    runServer: (config) => {
      served.push(config);
      return Promise.resolve(0);
    },
    ...overrides,
  };
  return { io, deps, served, made };
}

test("a good command line is resolved once and handed to runServer", async () => {
  const h = harness();
  const status = await main(["start-server", "app.wsgi", "--port", "0"], h.io, h.deps);
  assert.equal(status, 0);
  assert.equal(h.served.length, 1);
  const [config] = h.served;
  assert.ok(config && Object.isFrozen(config));
  assert.equal(config.listen.port, 0);
  assert.equal(h.io.stderr.text, "");
});

test("the server's exit status is the CLI's", async () => {
  const h = harness({ runServer: () => Promise.resolve(3) });
  assert.equal(await main(["start-server"], h.io, h.deps), 3);
});

/** Without the request and response spools, whose directories the server root gets. */
const NO_SPOOLS = ["--body-spool-size", "0", "--response-spool-size", "0"];

test("the server root and a separate log directory are created", async () => {
  const h = harness();
  await main(["start-server", "--server-root", "root", "--log-directory", "logs"], h.io, h.deps);
  const root = "/work/app/root";
  assert.deepEqual(h.made, [
    root,
    `${root}/htdocs`,
    `${root}/request-bodies`,
    `${root}/response-bodies`,
    "/work/app/logs",
  ]);
  const same = harness();
  await main(["start-server", "--server-root", "/srv/r", ...NO_SPOOLS], same.io, same.deps);
  assert.deepEqual(same.made, ["/srv/r", "/srv/r/htdocs"], "no spool directory without a spool");
});

test("the debug features' directories are created, unless the daemons drop to --user", async () => {
  const argv = ["start-server", "--server-root", "/srv/r", ...NO_SPOOLS, "--enable-recorder"];
  const h = harness();
  await main([...argv, "--enable-profiler", "--profiler-directory", "/p"], h.io, h.deps);
  assert.deepEqual(h.made, ["/srv/r", "/srv/r/htdocs", "/p", "/srv/r/archive"]);
  // Made by the daemons then, so that the user they run as owns them.
  const dropped = harness({ uid: 0 }); // --user counts only when started as root
  await main([...argv, "--user", "www-data"], dropped.io, dropped.deps);
  assert.deepEqual(dropped.made, ["/srv/r", "/srv/r/htdocs"]);
});

test("a directory that cannot be created is a usage error naming its option", async () => {
  const failing = (): Partial<MainDeps> => ({
    makeDirectory: () => {
      throw new Error("EACCES: permission denied");
    },
  });
  const h = harness(failing());
  await assert.rejects(execute(["start-server"], h.io, h.deps), {
    code: "WSGIX_ERR_CREATE_DIRECTORY",
  });
  const again = harness(failing());
  assert.equal(await main(["start-server"], again.io, again.deps), 2);
  assert.equal(again.io.stderr.lines().length, 1);
  assert.equal(again.served.length, 0);
});

test("Apache-only options get one warning line; every other option is built", async () => {
  const h = harness();
  const argv = ["start-server", "--server-mpm", "event", "--include-file", "x", "--enable-docs"];
  assert.equal(await main(argv, h.io, h.deps), 0);
  const lines = h.io.stderr.lines();
  assert.equal(lines.length, 1);
  assert.match(lines[0] ?? "", /^wsgi-express: warning: .*--server-mpm, --include-file$/);
});

test("`help replay` is `replay --help`", async () => {
  const asked = harness();
  assert.equal(await main(["help", "replay"], asked.io, asked.deps), 0);
  const flag = harness();
  assert.equal(await main(["replay", "--help"], flag.io, flag.deps), 0);
  assert.match(asked.io.stdout.text, /^Usage: wsgi-express replay DIRECTORY URL/);
  assert.equal(asked.io.stdout.text, flag.io.stdout.text);
  assert.equal(asked.io.stderr.text, "");
});

test("--help writes to stdout and returns 0 without serving", async () => {
  for (const argv of [["start-server", "--help"], ["help", "setup-server"], ["--help"]]) {
    const h = harness();
    assert.equal(await main(argv, h.io, h.deps), 0);
    assert.match(h.io.stdout.text, /Usage: wsgi-express/);
    assert.equal(h.io.stderr.text, "");
    assert.equal(h.served.length, 0);
  }
});

const USAGE_ERRORS: [string[], ErrorCode][] = [
  [[], "WSGIX_ERR_NO_COMMAND"],
  [["serve"], "WSGIX_ERR_UNKNOWN_COMMAND"],
  [["start-server", "--no-such-option"], "WSGIX_ERR_UNKNOWN_OPTION"],
  [["start-server", "--port", "abc"], "WSGIX_ERR_OPTION_VALUE"],
  [["start-server", "--port", "70000"], "WSGIX_ERR_OPTION_VALUE"],
  [["start-server", "--processes", "-1"], "WSGIX_ERR_OPTION_VALUE"],
  [["start-server", "--threads", "0"], "WSGIX_ERR_OPTION_VALUE"],
  [["start-server", "--socket-timeout", "soon"], "WSGIX_ERR_OPTION_VALUE"],
  [["start-server", "--log-level", "loud"], "WSGIX_ERR_OPTION_VALUE"],
  [["start-server", "--application-type", "egg"], "WSGIX_ERR_OPTION_VALUE"],
  [["start-server", "missing.wsgi"], "WSGIX_ERR_MISSING_FILE"],
  [["start-server", "--working-directory", "/nope"], "WSGIX_ERR_NOT_A_DIRECTORY"],
  [["start-server", "--python-path", "/nope"], "WSGIX_ERR_NOT_A_DIRECTORY"],
  [["start-server", "--python-executable", "/nope/python"], "WSGIX_ERR_PYTHON"],
  [["start-server", "--setenv", "ONLY_KEY"], "WSGIX_ERR_MISSING_ARGUMENT"],
];

for (const [argv, code] of USAGE_ERRORS) {
  test(`\`${argv.join(" ")}\` fails with ${code}: status 2, one stderr line, nothing served`, async () => {
    const h = harness();
    await assert.rejects(execute(argv, h.io, h.deps), { code });
    const again = harness();
    assert.equal(await main(argv, again.io, again.deps), 2);
    const lines = again.io.stderr.lines();
    assert.equal(lines.length, 1, again.io.stderr.text);
    assert.match(lines[0] ?? "", /^wsgi-express: error: /);
    assert.equal(again.io.stdout.text, "");
    assert.equal(again.served.length, 0);
  });
}

test("an unexpected failure is one 'internal error' line and status 1", async () => {
  const h = harness({ runServer: () => Promise.reject(new Error("boom\n    at somewhere")) });
  assert.equal(await main(["start-server"], h.io, h.deps), 1);
  assert.deepEqual(h.io.stderr.lines(), ["wsgi-express: internal error: boom at somewhere"]);
});

test("the environment given in io is the one used for $VAR and --passenv", async () => {
  const h = harness();
  const io = { ...h.io, env: { ...BASE_ENV, P: "9001", SECRET: "s" } };
  await main(["start-server", "--port", "$P", "--passenv", "SECRET"], io, h.deps);
  const [config] = h.served;
  assert.ok(config);
  assert.equal(config.listen.port, 9001);
  assert.deepEqual(config.requestEnviron, [["SECRET", "s"]]);
});

test("a server root this user cannot write to is reported as --server-root, not --document-root", async () => {
  const asked: [string, boolean][] = [];
  const h = harness({
    makeDirectory: (path, writable) => {
      asked.push([path, writable]);
      if (writable) throw new Error(`EACCES: permission denied, access '${path}'`);
    },
  });
  assert.equal(await main(["start-server", "--server-root", "/srv/r"], h.io, h.deps), 2);
  assert.match(
    h.io.stderr.text,
    /^wsgi-express: error: --server-root: expected a directory this user can create or write to \(EACCES/,
  );
  assert.doesNotMatch(h.io.stderr.text, /--document-root/);
  // The server root must be writable; the document root is only read.
  assert.deepEqual(asked, [["/srv/r", true]]);
});
