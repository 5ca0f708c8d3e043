/**
 * Issue #25: the embedded-mode addon is built on first use into the user's cache
 * directory, reused after, rebuilt when its source (or node's ABI) changes, and a
 * missing compiler or missing headers get one clear message.
 */
import assert from "node:assert/strict";
import { copyFileSync, existsSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import {
  ADDON_SOURCE,
  addonPath,
  cacheDirectory,
  ensureAddon,
  nodeApiHeaders,
  type BuildEnvironment,
} from "../../src/embedded/build.js";
import { loadAddon } from "../../src/embedded/addon.js";
import { isWsgiExpressError } from "../../src/errors.js";
import { ROOT, runCli, startServer, tempDir } from "./harness.js";

function environment(env: Record<string, string>, said: string[] = []): BuildEnvironment {
  return {
    env: { PATH: process.env["PATH"], ...env },
    execPath: process.execPath,
    abi: process.versions.modules,
    say: (line) => said.push(line),
  };
}

test("built on first use into XDG_CACHE_HOME, then reused without a rebuild", async () => {
  const cache = tempDir();
  const said: string[] = [];
  const build = environment({ XDG_CACHE_HOME: cache }, said);
  const built = await ensureAddon(build);
  assert.ok(built.startsWith(join(cache, "wsgi-express", "embedded")));
  assert.match(built, new RegExp(`node-abi${process.versions.modules}-`));
  assert.equal(said.length, 1);
  assert.match(said[0] ?? "", /building the embedded-mode addon/);
  // It is a loadable Node-API addon.
  const addon = loadAddon(built);
  assert.equal(typeof addon.start, "function");
  const before = statSync(built).mtimeMs;
  assert.equal(await ensureAddon(build), built);
  assert.equal(said.length, 1, "no second build");
  assert.equal(statSync(built).mtimeMs, before);
});

test("another node ABI or a changed source is another cache entry", () => {
  const cache = tempDir();
  const build = environment({ XDG_CACHE_HOME: cache });
  const source = join(tempDir(), "embedded.c");
  copyFileSync(ADDON_SOURCE, source);
  const original = addonPath({ ...build, source });
  assert.notEqual(addonPath({ ...build, source, abi: "999" }), original);
  writeFileSync(source, "/* changed */\n", { flag: "a" });
  assert.notEqual(addonPath({ ...build, source }), original);
});

test("the cache is under ~/.cache without XDG_CACHE_HOME", () => {
  assert.match(cacheDirectory({ HOME: "/nowhere" }), /\.cache\/wsgi-express$/);
  assert.equal(cacheDirectory({ XDG_CACHE_HOME: "/x" }), "/x/wsgi-express");
});

async function failure(build: BuildEnvironment): Promise<Error> {
  return ensureAddon(build).then(
    () => assert.fail("the build should have failed"),
    (error: unknown) => error as Error,
  );
}

test("no C compiler: one clear error naming what to install, nothing cached", async () => {
  const cache = tempDir();
  const error = await failure(environment({ XDG_CACHE_HOME: cache, CC: "/nonexistent/cc" }));
  assert.ok(isWsgiExpressError(error));
  assert.equal(error.code, "WSGIX_ERR_EMBEDDED_BUILD");
  assert.match(
    error.message,
    /^--embedded-mode: no C compiler '\/nonexistent\/cc'.*apt-get install gcc/,
  );
  assert.equal(existsSync(addonPath(environment({ XDG_CACHE_HOME: cache }))), false);
});

test("a compiler that fails: its first lines in the error", async () => {
  const error = await failure(environment({ XDG_CACHE_HOME: tempDir(), CC: "false" }));
  assert.ok(isWsgiExpressError(error));
  assert.match(error.message, /'false' failed: no output/);
});

test("headers: node's own, else the node-api-headers package's", () => {
  assert.ok(existsSync(join(nodeApiHeaders(process.execPath) ?? "", "node_api.h")));
  const packaged = nodeApiHeaders("/nonexistent/bin/node");
  assert.match(packaged ?? "", /node-api-headers\/include$/);
  assert.equal(nodeApiHeaders("/nonexistent/bin/node", null), null);
});

test("the package's headers build the addon as node's own do", async () => {
  const packaged = nodeApiHeaders("/nonexistent/bin/node");
  const build = {
    ...environment({ XDG_CACHE_HOME: tempDir() }),
    execPath: "/nonexistent/bin/node",
  };
  const built = await ensureAddon({ ...build, packagedHeaders: packaged });
  assert.equal(typeof loadAddon(built).push, "function");
});

test("no Node-API headers: one clear error", async () => {
  const build = {
    packagedHeaders: null,
    ...environment({ XDG_CACHE_HOME: tempDir() }),
    execPath: "/nonexistent/bin/node",
  };
  const error = await failure(build);
  assert.ok(isWsgiExpressError(error));
  assert.match(
    error.message,
    /no Node-API headers \(node_api\.h\) beside \/nonexistent\/bin\/node/,
  );
});

test("wsgi-express build-embedded builds ahead of the first start, then reuses", async () => {
  const env = { ...process.env, XDG_CACHE_HOME: tempDir() };
  const first = await runCli(["build-embedded"], { env });
  assert.equal(first.status, 0);
  assert.match(first.stderr, /building the embedded-mode addon/);
  const path = first.stdout.trim();
  assert.ok(existsSync(path));
  const second = await runCli(["build-embedded"], { env });
  assert.equal(second.status, 0);
  assert.equal(second.stderr, "");
  assert.equal(second.stdout.trim(), path);
  const missing = await runCli(["build-embedded"], {
    env: { ...env, XDG_CACHE_HOME: tempDir(), CC: "/nonexistent/cc" },
  });
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /^wsgi-express: error: --embedded-mode: no C compiler/m);
  const usage = await runCli(["build-embedded", "--help"], { env });
  assert.equal(usage.status, 0);
  assert.match(usage.stdout, /^Usage: wsgi-express build-embedded/);
  assert.equal((await runCli(["build-embedded", "extra"], { env })).status, 2);
});

test("--embedded-mode without a compiler: one line, exit 1, and daemon mode unaffected", async () => {
  const env = { ...process.env, XDG_CACHE_HOME: tempDir(), CC: "/nonexistent/cc" };
  const hello = join(ROOT, "test", "fixtures", "apps", "hello.wsgi");
  const args = ["start-server", hello, "--host", "127.0.0.1", "--port", "0"];
  const refused = await runCli([...args, "--embedded-mode", "--server-root", tempDir()], { env });
  assert.equal(refused.status, 1);
  assert.match(refused.stderr, /wsgi-express: error: --embedded-mode: no C compiler/);
  const daemon = await startServer([hello], { env });
  try {
    assert.match(daemon.banner(), /^Operating Mode\s*: daemon$/m);
  } finally {
    await daemon.stop();
  }
});
