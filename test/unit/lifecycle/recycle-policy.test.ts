import { test } from "node:test";
import assert from "node:assert/strict";
import { parseRss } from "../../../src/lifecycle/proc-stats.js";
import {
  countsAsActivity,
  recycleReason,
  type ProcessStats,
  type RecycleLimits,
} from "../../../src/lifecycle/recycle-policy.js";

const NONE: RecycleLimits = {
  maximumRequests: 0,
  restartIntervalMs: 0,
  inactivityMs: 0,
  memoryLimit: 0,
};
const FRESH: ProcessStats = {
  startedAt: 1000,
  requests: 0,
  active: 0,
  lastActivity: null,
  rssBytes: null,
};

test("no limits: never recycled", () => {
  const old = { ...FRESH, requests: 1e9, lastActivity: 0, rssBytes: 1e12 };
  assert.equal(recycleReason(old, NONE, 1e12), null);
});

test("--maximum-requests counts completed requests", () => {
  const limits = { ...NONE, maximumRequests: 3 };
  assert.equal(recycleReason({ ...FRESH, requests: 2 }, limits, 1000), null);
  assert.equal(recycleReason({ ...FRESH, requests: 3 }, limits, 1000), "maximum_requests");
});

test("--restart-interval counts uptime from the start", () => {
  const limits = { ...NONE, restartIntervalMs: 5000 };
  assert.equal(recycleReason(FRESH, limits, 5999), null);
  assert.equal(recycleReason(FRESH, limits, 6000), "restart_interval");
});

test("--memory-limit compares RSS, and waits while RSS is unknown", () => {
  const limits = { ...NONE, memoryLimit: 100 };
  assert.equal(recycleReason({ ...FRESH, rssBytes: 100 }, limits, 0), null);
  assert.equal(recycleReason({ ...FRESH, rssBytes: 101 }, limits, 0), "memory_limit");
  assert.equal(recycleReason({ ...FRESH, rssBytes: null }, limits, 0), null);
});

test("--inactivity-timeout starts at the first request and never fires while busy", () => {
  const limits = { ...NONE, inactivityMs: 1000 };
  assert.equal(recycleReason(FRESH, limits, 1e9), null, "no request yet");
  const idle = { ...FRESH, lastActivity: 2000 };
  assert.equal(recycleReason(idle, limits, 2999), null);
  assert.equal(recycleReason(idle, limits, 3000), "inactivity_timeout");
  assert.equal(recycleReason({ ...idle, active: 1 }, limits, 9000), null);
});

test("--cpu-time-limit (embedded workers): the process's CPU time, once counted", () => {
  const limits = { ...NONE, cpuTimeLimitMs: 2000 };
  assert.equal(recycleReason({ ...FRESH, cpuMs: 1999 }, limits, 0), null);
  assert.equal(recycleReason({ ...FRESH, cpuMs: 2000 }, limits, 0), "cpu_time_limit");
  assert.equal(recycleReason({ ...FRESH, cpuMs: null }, limits, 0), null);
  assert.equal(recycleReason({ ...FRESH, cpuMs: 1e9 }, NONE, 0), null, "not a daemon rule");
});

test("--ignore-activity matches whole path segments", () => {
  const ignored = ["/health", "/status/"];
  assert.equal(countsAsActivity("/health", ignored), false);
  assert.equal(countsAsActivity("/health/deep", ignored), false);
  assert.equal(countsAsActivity("/healthy", ignored), true);
  assert.equal(countsAsActivity("/status/x", ignored), false);
  assert.equal(countsAsActivity("/", ignored), true);
  assert.equal(countsAsActivity("/anything", []), true);
});

test("RSS is read from the VmRSS line of /proc/<pid>/status", () => {
  assert.equal(parseRss("Name:\tpython3\nVmRSS:\t   20480 kB\nThreads:\t7\n"), 20480 * 1024);
  assert.equal(parseRss("Name:\tkthreadd\n"), null);
});
