import { test } from "node:test";
import assert from "node:assert/strict";
import { resolveConfig } from "../../../src/config/resolve.js";
import { fakeContext, parseArgs } from "./fakes.js";

async function resolveWith(argv: string[]) {
  const context = fakeContext({ env: { PATH: "/usr/bin" } });
  return resolveConfig(
    parseArgs(["start-server", ...argv, "--server-root", "/srv/root"], context.env),
    context,
  );
}

test("debug mode: one process, one thread, no timeouts or recycling", async () => {
  const config = await resolveWith([
    "--enable-recorder",
    "--processes",
    "4",
    "--threads",
    "8",
    "--request-timeout",
    "30",
    "--maximum-requests",
    "100",
  ]);
  const { daemons, debug } = config;
  assert.equal(debug.debugMode, true);
  assert.deepEqual([daemons.processes, daemons.threads], [1, 1]);
  assert.deepEqual([daemons.requestTimeout, daemons.maximumRequests], [0, 0]);
  assert.equal(daemons.scriptReloading, false);
  assert.equal(debug.recorderDirectory, "/srv/root/archive");
  assert.equal(debug.profilerDirectory, null);
});

test("without debug features nothing changes", async () => {
  const config = await resolveWith(["--processes", "4", "--request-timeout", "30"]);
  assert.equal(config.debug.debugMode, false);
  assert.deepEqual([config.daemons.processes, config.daemons.requestTimeout], [4, 30]);
  assert.equal(config.debug.gdbExecutable, null);
});

test("directories are made absolute; --debugger-startup needs --enable-debugger", async () => {
  const config = await resolveWith([
    "--enable-profiler",
    "--profiler-directory",
    "out",
    "--debugger-startup",
    "--enable-gdb",
  ]);
  assert.match(config.debug.profilerDirectory ?? "", /^\/.*\/out$/);
  assert.equal(config.debug.debuggerStartup, false);
  assert.equal(config.debug.gdbExecutable, "gdb");
});
