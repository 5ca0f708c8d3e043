import assert from "node:assert/strict";
import { test } from "node:test";
import { parseStat, treeCpuSeconds, treeOf, treeRss } from "../lib/proc-tree.js";
import { median } from "../lib/stats.js";

test("parseStat sums utime, stime, cutime and cstime past a name with spaces and ')'", () => {
  const line = "4242 (uWSGI w) 1) S 4241 4241 4241 0 -1 4194560 100 0 0 0 70 30 5 2 20 0 1 0";
  const stat = parseStat(line);
  assert.equal(stat.pid, 4242);
  assert.equal(stat.ppid, 4241);
  assert.equal(stat.ticks, 107);
  assert.equal(stat.sysTicks, 32);
});

test("treeOf follows parent pids down from the root only", () => {
  const all = [
    { pid: 1, ppid: 0, ticks: 1, sysTicks: 0 },
    { pid: 10, ppid: 1, ticks: 2, sysTicks: 0 },
    { pid: 11, ppid: 10, ticks: 3, sysTicks: 0 },
    { pid: 12, ppid: 11, ticks: 4, sysTicks: 0 },
    { pid: 20, ppid: 1, ticks: 5, sysTicks: 0 },
  ];
  assert.deepEqual(
    treeOf(10, all).map((s) => s.pid),
    [10, 11, 12],
  );
  assert.deepEqual(treeOf(99, all), []);
});

test("this process's own tree has CPU time and resident memory", () => {
  assert.ok(treeCpuSeconds(process.pid) > 0);
  const rss = treeRss(process.pid);
  assert.ok(rss.root > 1024 * 1024 && rss.total >= rss.root);
});

test("median of odd and even counts, ignoring NaN", () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.equal(median([NaN, 5]), 5);
  assert.ok(Number.isNaN(median([])));
});
