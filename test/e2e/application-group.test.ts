/**
 * --application-group through the real CLI: %{GLOBAL} runs the application in the
 * daemon's main interpreter; a name runs it in a sub-interpreter of each daemon (Python
 * 3.12+), whose threads share its state; older Pythons and per-request groups are refused
 * at start-up with one line.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import {
  SYSTEM_PYTHON,
  app,
  request,
  runCli,
  startServer,
  type RunningServer,
  notYetEmbedded,
} from "./harness.js";

const APP = app("app_group.wsgi");

interface Seen {
  readonly mainInterpreter: boolean;
  readonly served: number;
  readonly pid: number;
  readonly group: string;
  readonly environGroup: string;
}

async function seen(server: RunningServer): Promise<Seen> {
  const response = await request(server.url);
  assert.equal(response.status, 200);
  return JSON.parse(response.body.toString()) as Seen;
}

/** Pythons with sub-interpreter support on this machine: pyenv's, else on PATH. */
const MODERN = ["3.12.1", "3.13.0"]
  .map((version) => `/root/.pyenv/versions/${version}/bin/python3`)
  .filter((path) => existsSync(path));

test("%{GLOBAL} (the default): the daemon's main interpreter", async (t) => {
  const server = await startServer([APP, ...(MODERN[0] ? ["--python-executable", MODERN[0]] : [])]);
  t.after(() => server.stop());
  const facts = await seen(server);
  assert.equal(facts.mainInterpreter, true);
  assert.equal(facts.group, "");
  assert.equal(facts.environGroup, "");
});

for (const python of MODERN) {
  test(
    `a named group on ${python}: a sub-interpreter whose threads share its state`,
    notYetEmbedded("a named --application-group (refused in embedded mode)"),
    async (t) => {
      const server = await startServer([
        APP,
        "--python-executable",
        python,
        "--application-group",
        "shop",
        "--threads",
        "3",
      ]);
      t.after(() => server.stop());
      const results = await Promise.all([1, 2, 3, 4, 5, 6].map(() => seen(server)));
      for (const facts of results) {
        assert.equal(facts.mainInterpreter, false);
        assert.equal(facts.group, "shop");
        assert.equal(facts.environGroup, "shop");
      }
      // One process, one interpreter: its module's count went 1..6 across the threads.
      assert.deepEqual(
        results.map((facts) => facts.served).sort((a, b) => a - b),
        [1, 2, 3, 4, 5, 6],
      );
      assert.equal(await server.stop(), 0);
      assert.doesNotMatch(server.errorLog(), /Traceback|application group 'shop':/);
    },
  );
}

test("a named group on Debian's Python 3.11 is refused, naming the version", async () => {
  const result = await runCli([
    "start-server",
    APP,
    "--python-executable",
    SYSTEM_PYTHON,
    "--application-group",
    "shop",
  ]);
  assert.equal(result.status, 2);
  assert.match(
    result.stderr,
    /--application-group: the named group 'shop' runs in a Python sub-interpreter, which needs Python 3\.12 or newer; got Python 3\.(9|10|11)\.\d+ /,
  );
});

test("a per-request %{ENV:VAR} group is refused with one line", async () => {
  const result = await runCli(["start-server", APP, "--application-group", "%{ENV:GROUP}"]);
  assert.equal(result.status, 2);
  assert.match(
    result.stderr,
    /--application-group: expected %\{GLOBAL\} or a name .*, got '%\{ENV:GROUP\}'/,
  );
});
