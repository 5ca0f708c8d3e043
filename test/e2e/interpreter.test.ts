/**
 * --switch-interval, --orphan-interpreter and --free-threading through the real CLI,
 * with real daemons: what each daemon's interpreter reports, and what runs as it stops.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import {
  app,
  eventually,
  request,
  runCli,
  startServer,
  tempDir,
  type RunningServer,
  notYetEmbedded,
} from "./harness.js";

const APP = app("interpreter.wsgi");

interface Facts {
  readonly switchInterval: number;
  readonly gilEnabled: boolean;
  readonly pid: number;
}

async function facts(server: RunningServer, query = ""): Promise<Facts> {
  const response = await request(`${server.url}${query}`);
  assert.equal(response.status, 200);
  return JSON.parse(response.body.toString()) as Facts;
}

test("--switch-interval: each daemon's sys.getswitchinterval(), logged at start-up", async (t) => {
  // (0.25: Python keeps the interval in microseconds, so it reads back exactly.)
  const server = await startServer([APP, "--processes", "2", "--switch-interval", "0.25"]);
  t.after(() => server.stop());
  assert.equal((await facts(server)).switchInterval, 0.25);
  const lines = await eventually(
    server.errorLog,
    (log) => log.match(/Python switch interval set to 0\.25 seconds/g)?.length === 2,
  );
  assert.ok(lines);
});

test("without --switch-interval the daemons keep Python's own (5 ms)", async (t) => {
  const server = await startServer([APP]);
  t.after(() => server.stop());
  assert.equal((await facts(server)).switchInterval, 0.005);
});

test("--switch-interval 0 is refused with one line naming the option", async () => {
  const result = await runCli(["start-server", APP, "--switch-interval", "0"]);
  assert.equal(result.status, 2);
  assert.match(
    result.stderr,
    /--switch-interval: expected a number of seconds greater than 0, got '0'/,
  );
  assert.doesNotMatch(result.stderr, /\n\s+at /);
});

async function stopAndListMarkers(args: string[]): Promise<{ files: string[]; pid: number }> {
  const markers = tempDir();
  const server = await startServer([APP, ...args], {
    env: { ...process.env, WSGI_EXPRESS_TEST_MARKERS: markers },
  });
  const { pid } = await facts(server);
  assert.equal(await server.stop(), 0);
  return { files: readdirSync(markers).sort(), pid };
}

test("a daemon stopping normally runs its shutdown subscribers, then atexit", async () => {
  const { files, pid } = await stopAndListMarkers([]);
  assert.deepEqual(files, [`atexit-${pid}`, `shutdown-${pid}`]);
});

test(
  "--orphan-interpreter: shutdown subscribers run, atexit and finalisation do not",
  notYetEmbedded(
    "a stopping worker does not run shutdown subscribers or atexit, nor finalise Python",
  ),
  async () => {
    // As WSGIDestroyInterpreter Off: mod_wsgi.subscribe_shutdown callbacks are the way to
    // clean up under it; atexit callbacks are skipped with the interpreter's destruction.
    const { files, pid } = await stopAndListMarkers(["--orphan-interpreter"]);
    assert.deepEqual(files, [`shutdown-${pid}`]);
  },
);

test(
  "--orphan-interpreter: a lingering non-daemon thread does not hold the exit",
  notYetEmbedded(
    "a stopping worker does not run shutdown subscribers or atexit, nor finalise Python",
  ),
  async (t) => {
    // Python's finalisation waits for every non-daemon thread (the hang mod_wsgi's
    // directive exists for); an orphaned interpreter is not finalised, so the daemon
    // ends at once and is never killed. Without the option it is, after the grace.
    for (const orphan of [true, false]) {
      const server = await startServer([
        APP,
        "--shutdown-timeout",
        "2",
        ...(orphan ? ["--orphan-interpreter"] : []),
      ]);
      t.after(() => server.stop());
      await facts(server, "?linger=1");
      assert.equal(await server.stop(), 0);
      const killed = /did not exit within 2s of being told to stop; killed it/.test(
        server.errorLog(),
      );
      assert.equal(killed, !orphan, orphan ? "orphaned" : "finalised");
    }
  },
);

test("--free-threading on a Python with the GIL: refused at start-up, naming it", async () => {
  const result = await runCli(["start-server", APP, "--free-threading"]);
  assert.equal(result.status, 2);
  assert.match(
    result.stderr,
    /--free-threading: expected a free-threaded Python build \(3\.13t or newer, sysconfig Py_GIL_DISABLED set\), got Python 3\.\S+ with the GIL/,
  );
  assert.doesNotMatch(result.stderr, /\n\s+at /);
});
