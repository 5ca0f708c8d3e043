import { test } from "node:test";
import assert from "node:assert/strict";
import { resolveConfig } from "../../../src/config/resolve.js";
import { CWD, fakeContext, parseArgs } from "./fakes.js";

async function resolveWith(argv: string[], env: Record<string, string> = {}) {
  const context = fakeContext({ env: { PATH: "/usr/bin", ...env } });
  return resolveConfig(parseArgs(["start-server", ...argv], context.env), context);
}

test("--setenv pairs then --passenv values, in order; unset names are skipped", async () => {
  const config = await resolveWith(
    [
      "--passenv",
      "HOME",
      "--setenv",
      "A",
      "1",
      "--passenv",
      "MISSING",
      "--setenv",
      "B",
      "",
      "--passenv",
      "LANG",
    ],
    { HOME: "/home/u", LANG: "C.UTF-8" },
  );
  assert.deepEqual(config.requestEnviron, [
    ["A", "1"],
    ["B", ""],
    ["HOME", "/home/u"],
    ["LANG", "C.UTF-8"],
  ]);
});

test("--passenv does not see inherited object properties", async () => {
  const config = await resolveWith(["--passenv", "constructor", "--passenv", "toString"]);
  assert.deepEqual(config.requestEnviron, []);
});

test("the daemons get mod_wsgi-express's markers, and no feature flags by default", async () => {
  const config = await resolveWith([]);
  assert.deepEqual(config.daemons.environment, {
    MOD_WSGI_EXPRESS: "true",
    MOD_WSGI_SERVER_NAME: "localhost",
    MOD_WSGI_SERVER_ALIASES: "",
    MOD_WSGI_SERVER_ROOT: "/tmp/mod_wsgi-localhost:8000:1000",
    MOD_WSGI_LISTENER_HOST: "localhost",
    MOD_WSGI_HTTP_PORT: "8000",
    MOD_WSGI_HTTPS_PORT: "None",
    MOD_WSGI_WORKING_DIRECTORY: CWD,
    // Not markers, but the same for every Python process: locale and egg cache.
    LANG: "C.UTF-8",
    LC_ALL: "C.UTF-8",
    PYTHON_EGG_CACHE: "/tmp/mod_wsgi-localhost:8000:1000/python-eggs",
  });
});

test("markers follow the host, names, ports and working directory", async () => {
  const config = await resolveWith([
    "--host",
    "10.0.0.1",
    "--port",
    "8080",
    "--https-port",
    "8443",
    "--ssl-certificate",
    "site",
    "--server-name",
    "www.example.com",
    "--server-alias",
    "example.com",
    "--server-alias",
    "*.example.org",
    "--working-directory",
    "/work/other",
  ]);
  const env = config.daemons.environment;
  assert.equal(env["MOD_WSGI_SERVER_NAME"], "www.example.com");
  assert.equal(env["MOD_WSGI_SERVER_ALIASES"], "example.com *.example.org");
  assert.equal(env["MOD_WSGI_LISTENER_HOST"], "10.0.0.1");
  assert.equal(env["MOD_WSGI_HTTP_PORT"], "8080");
  assert.equal(env["MOD_WSGI_HTTPS_PORT"], "8443");
  assert.equal(env["MOD_WSGI_WORKING_DIRECTORY"], "/work/other");
});

const FEATURES: [string, string[]][] = [
  ["--reload-on-changes", ["MOD_WSGI_RELOADER_ENABLED"]],
  ["--debug-mode", ["MOD_WSGI_DEBUG_MODE"]],
  ["--enable-debugger", ["MOD_WSGI_DEBUG_MODE", "MOD_WSGI_DEBUGGER_ENABLED"]],
  ["--enable-coverage", ["MOD_WSGI_DEBUG_MODE", "MOD_WSGI_COVERAGE_ENABLED"]],
  ["--enable-profiler", ["MOD_WSGI_DEBUG_MODE", "MOD_WSGI_PROFILER_ENABLED"]],
  ["--enable-recorder", ["MOD_WSGI_DEBUG_MODE", "MOD_WSGI_RECORDER_ENABLED"]],
  ["--enable-gdb", ["MOD_WSGI_DEBUG_MODE", "MOD_WSGI_GDB_ENABLED"]],
];

for (const [option, markers] of FEATURES) {
  test(`${option} sets exactly ${markers.join(" and ")} to 'true'`, async () => {
    const env = (await resolveWith([option])).daemons.environment;
    const flags = Object.keys(env).filter(
      (name) => env[name] === "true" && name !== "MOD_WSGI_EXPRESS",
    );
    assert.deepEqual(flags.sort(), [...markers].sort());
  });
}
