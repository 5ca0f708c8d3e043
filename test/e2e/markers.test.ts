import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { coveragePython } from "./debug-python.js";
import {
  ROOT,
  app,
  eventually,
  request,
  startServer,
  type RunningServer,
  MODE,
  daemonOnly,
  notYetEmbedded,
} from "./harness.js";
import { httpsArgs, httpsPort, makeCertificates } from "./tls-helpers.js";

const SERVICE = join(ROOT, "test", "fixtures", "services", "facts_service.py");

/** The seed's feature markers: `true` exactly when the feature is on, else absent. */
const FEATURES: readonly (readonly [string, string])[] = [
  ["MOD_WSGI_RELOADER_ENABLED", "--reload-on-changes"],
  ["MOD_WSGI_DEBUGGER_ENABLED", "--enable-debugger"],
  ["MOD_WSGI_COVERAGE_ENABLED", "--enable-coverage"],
  ["MOD_WSGI_PROFILER_ENABLED", "--enable-profiler"],
  ["MOD_WSGI_RECORDER_ENABLED", "--enable-recorder"],
  ["MOD_WSGI_GDB_ENABLED", "--enable-gdb"],
];
const ALL_FLAGS = ["MOD_WSGI_DEBUG_MODE", ...FEATURES.map(([name]) => name)];

type Variables = Record<string, string | undefined>;

async function daemonVariables(server: RunningServer, host?: string): Promise<Variables> {
  const headers: Record<string, string> = host === undefined ? {} : { Host: host };
  const response = await request(server.url, { headers });
  return (JSON.parse(response.body.toString()) as { environ: Variables }).environ;
}

async function serviceVariables(server: RunningServer): Promise<Variables> {
  const log = await eventually(server.errorLog, (text) => /facts: \{/.test(text));
  const line = /facts: (\{.*\})$/m.exec(log)?.[1] ?? "{}";
  return (JSON.parse(line) as { environ: Variables }).environ;
}

test("MOD_WSGI_* in daemons and services: identity, listener, and every feature off", async (t) => {
  const server = await startServer([
    app("process_facts.wsgi"),
    "--service-script",
    "facts",
    SERVICE,
  ]);
  t.after(() => server.stop());
  for (const variables of [await daemonVariables(server), await serviceVariables(server)]) {
    assert.equal(variables["MOD_WSGI_EXPRESS"], "true");
    assert.equal(variables["MOD_WSGI_SERVER_NAME"], "127.0.0.1");
    assert.equal(variables["MOD_WSGI_SERVER_ALIASES"], "");
    assert.equal(variables["MOD_WSGI_SERVER_ROOT"], server.serverRoot);
    assert.equal(variables["MOD_WSGI_LISTENER_HOST"], "127.0.0.1");
    // --port 0: the port the system chose, not 0 (lifecycle/bound-ports.ts).
    assert.equal(variables["MOD_WSGI_HTTP_PORT"], String(server.port));
    assert.equal(variables["MOD_WSGI_HTTPS_PORT"], "None");
    assert.equal(variables["MOD_WSGI_WORKING_DIRECTORY"], ROOT.replace(/\/$/, ""));
    for (const name of ALL_FLAGS) assert.equal(variables[name], undefined, name);
  }
});

test("MOD_WSGI_* with a server name, aliases and every feature on", async (t) => {
  const server = await startServer([
    app("process_facts.wsgi"),
    "--server-name",
    "example.com",
    "--server-alias",
    "www.example.com",
    "--server-alias",
    "*.example.org",
    "--service-script",
    "facts",
    SERVICE,
    // Embedded mode refuses them all (resolve-embedded.ts): there, every marker is absent.
    ...(MODE === "embedded" ? [] : FEATURES.map(([, option]) => option)),
    // --enable-coverage needs coverage.py in the daemons' Python.
    "--python-executable",
    coveragePython(),
  ]);
  t.after(() => server.stop());
  const daemon = await daemonVariables(server, "example.com");
  for (const variables of [daemon, await serviceVariables(server)]) {
    assert.equal(variables["MOD_WSGI_SERVER_NAME"], "example.com");
    assert.equal(variables["MOD_WSGI_SERVER_ALIASES"], "www.example.com *.example.org");
    const expected = MODE === "embedded" ? undefined : "true";
    for (const name of ALL_FLAGS) assert.equal(variables[name], expected, name);
  }
});

test(
  "--debug-mode alone sets MOD_WSGI_DEBUG_MODE and no feature marker",
  daemonOnly("--debug-mode is refused in embedded mode"),
  async (t) => {
    const server = await startServer([app("process_facts.wsgi"), "--debug-mode"]);
    t.after(() => server.stop());
    const variables = await daemonVariables(server);
    assert.equal(variables["MOD_WSGI_DEBUG_MODE"], "true");
    for (const [name] of FEATURES) assert.equal(variables[name], undefined, name);
  },
);

test(
  "MOD_WSGI_HTTPS_PORT with --https-port 0: the bound port, in daemons and services",
  notYetEmbedded("--https-port"),
  async (t) => {
    const certs = makeCertificates();
    const server = await startServer([
      app("process_facts.wsgi"),
      ...httpsArgs(certs),
      "--service-script",
      "facts",
      SERVICE,
    ]);
    t.after(() => server.stop());
    const port = httpsPort(server);
    assert.notEqual(port, 0);
    const daemon = await daemonVariables(server, "localhost");
    for (const variables of [daemon, await serviceVariables(server)]) {
      assert.equal(variables["MOD_WSGI_HTTPS_PORT"], String(port));
      assert.equal(variables["MOD_WSGI_HTTP_PORT"], String(server.port));
    }
  },
);
