import { test } from "node:test";
import assert from "node:assert/strict";
import type { ProbeResult } from "../../../src/config/context.js";
import { readProbe } from "../../../src/config/python-probe.js";
import { resolveConfig } from "../../../src/config/resolve.js";
import { gilArguments } from "../../../src/config/resolve-interpreter.js";
import type { ServerConfig } from "../../../src/config/server-config.js";
import { PYTHON_311, fakeContext, fakeProbe, parseArgs } from "./fakes.js";

/** What probing a free-threaded 3.13t build reports (no such Python on this machine:
 *  the decision is tested against the probe's answer). */
const PYTHON_313T: ProbeResult = {
  ok: true,
  versionInfo: [3, 13, 0, "final", 0],
  version: "3.13.0 experimental free-threading build (main) [GCC 12.2.0]",
  prefix: "/opt/python3.13t",
  freeThreaded: true,
};

async function resolve(argv: string[], probe: ProbeResult = PYTHON_311): Promise<ServerConfig> {
  const context = fakeContext({ probePython: fakeProbe(probe) });
  return resolveConfig(parseArgs(["start-server", ...argv]), context);
}

test("the interpreter options default to Python's own behaviour", async () => {
  const config = await resolve([]);
  assert.deepEqual(config.daemons.interpreter, {
    switchInterval: null,
    orphanInterpreter: false,
    freeThreading: false,
  });
  assert.deepEqual(gilArguments(config.daemons.python, config.daemons.interpreter), []);
});

test("--switch-interval takes seconds above 0", async () => {
  const config = await resolve(["--switch-interval", "0.002", "--orphan-interpreter"]);
  assert.equal(config.daemons.interpreter.switchInterval, 0.002);
  assert.equal(config.daemons.interpreter.orphanInterpreter, true);
  for (const bad of ["0", "-1", "soon"]) {
    await assert.rejects(resolve([`--switch-interval=${bad}`]), {
      code: "WSGIX_ERR_OPTION_VALUE",
      message: new RegExp(`^--switch-interval: expected .*, got '${bad}'$`),
    });
  }
});

test("--free-threading is refused on a Python with the GIL, naming its version", async () => {
  await assert.rejects(resolve(["--free-threading"]), {
    code: "WSGIX_ERR_PYTHON_FEATURE",
    exitCode: 2,
    message:
      /^--free-threading: expected a free-threaded Python build .*, got Python 3\.11\.7 with the GIL \('\/usr\/bin\/python3'\)$/,
  });
});

test("--free-threading on a free-threaded build: the daemons run with -X gil=0", async () => {
  const config = await resolve(["--free-threading"], PYTHON_313T);
  assert.equal(config.daemons.python.freeThreaded, true);
  assert.equal(config.daemons.interpreter.freeThreading, true);
  assert.deepEqual(gilArguments(config.daemons.python, config.daemons.interpreter), [
    "-X",
    "gil=0",
  ]);
});

test("a free-threaded build without --free-threading runs with the GIL on, as mod_wsgi", async () => {
  const config = await resolve([], PYTHON_313T);
  assert.deepEqual(gilArguments(config.daemons.python, config.daemons.interpreter), [
    "-X",
    "gil=1",
  ]);
});

test("the probe reports a free-threaded build, and a GIL build or an old probe as not", () => {
  const base = { version_info: [3, 13, 0], version: "3.13.0", prefix: "/p" };
  const free = readProbe(JSON.stringify({ ...base, free_threaded: true }));
  const gil = readProbe(JSON.stringify({ ...base, free_threaded: false }));
  const old = readProbe(JSON.stringify(base));
  assert.deepEqual(
    [free, gil, old].map((probe) => probe.ok && probe.freeThreaded),
    [true, false, false],
  );
});

const PYTHON_312: ProbeResult = {
  ok: true,
  versionInfo: [3, 12, 1, "final", 0],
  version: "3.12.1",
  prefix: "/usr",
};

test("--application-group: %{GLOBAL} is the main interpreter, a name a sub-interpreter (3.12+)", async () => {
  assert.equal((await resolve([])).application.applicationGroup, "");
  const named = await resolve(["--application-group", "shop"], PYTHON_312);
  assert.equal(named.application.applicationGroup, "shop");
  await assert.rejects(resolve(["--application-group", "shop"]), {
    code: "WSGIX_ERR_PYTHON_FEATURE",
    message:
      /^--application-group: the named group 'shop' runs in a Python sub-interpreter, which needs Python 3\.12 or newer; got Python 3\.11\.7 /,
  });
  for (const bad of ["%{ENV:GROUP}", "%{RESOURCE}", " "]) {
    await assert.rejects(resolve(["--application-group", bad], PYTHON_312), {
      code: "WSGIX_ERR_OPTION_VALUE",
    });
  }
});
