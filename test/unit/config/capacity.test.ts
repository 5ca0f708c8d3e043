import assert from "node:assert/strict";
import { test } from "node:test";
import { checkCapacity } from "../../../src/config/capacity.js";
import { connectionCap } from "../../../src/config/resolve-clients.js";
import { resolveConfig } from "../../../src/config/resolve.js";
import { fakeContext, parseArgs } from "./fakes.js";

const GiB = 1024 * 1024 * 1024;

test("a pool the machine's memory cannot hold is refused, naming --processes", () => {
  const limits = { openFiles: null, memory: 24 * GiB };
  checkCapacity(3072, 5, limits);
  assert.throws(() => {
    checkCapacity(100_000, 5, limits);
  }, /^WsgiExpressError: --processes: expected at most 3072 daemon processes on this machine \(each takes at least 8 MiB of the 24576 MiB of memory available\), got '100000'$/);
});

test("a pool the front end's open-file limit cannot hold is refused", () => {
  // (20000 - 256) / (4 threads + 3) = 2820
  const limits = { openFiles: 20_000, memory: null };
  checkCapacity(2820, 4, limits);
  assert.throws(() => {
    checkCapacity(2821, 4, limits);
  }, /--processes: expected at most 2820 daemon processes .*each holds 7 of the front end's 20000 open files with --threads 4/);
});

test("a small open-file limit keeps half for the rest, and unknown limits check nothing", () => {
  checkCapacity(16, 5, { openFiles: 256, memory: null }); // (256 - 128) / 8
  assert.throws(() => {
    checkCapacity(17, 5, { openFiles: 256, memory: null });
  });
  checkCapacity(10_000_000, 1, { openFiles: null, memory: null });
});

test("the check sees the pool as it will run (debug mode: one process, one thread)", async () => {
  const context = fakeContext({ machineLimits: { openFiles: null, memory: 1 * GiB } });
  const argv = ["start-server", "--processes", "1000"];
  await assert.rejects(resolveConfig(parseArgs(argv), context), { code: "WSGIX_ERR_CAPACITY" });
  const debug = await resolveConfig(parseArgs([...argv, "--debug-mode"]), context);
  assert.equal(debug.daemons.processes, 1);
});

test("the client connection cap leaves the daemons' descriptors out", async () => {
  const context = fakeContext({ machineLimits: { openFiles: 20_000, memory: null } });
  const argv = ["start-server", "--processes", "2", "--threads", "5"];
  const config = await resolveConfig(parseArgs(argv), context);
  // 20000 - 2 x (5 + 3) = 19984 descriptors; 90 % of them, less the 256 reserve.
  assert.equal(config.clients.maxConnections, 17_729);
  assert.equal(connectionCap(20_000), 17_744);
});
