import { test } from "node:test";
import assert from "node:assert/strict";
import { tallyNodeTest, tallyUnittest } from "../tally.js";

test("node:test's summary is tallied; cancelled tests count as failed", () => {
  const tap = "ok 1 - a\n# tests 7\n# suites 0\n# pass 5\n# fail 1\n# cancelled 1\n# skipped 0\n";
  assert.deepEqual(tallyNodeTest(tap), { passed: 5, failed: 2 });
  assert.equal(tallyNodeTest("node: bad option: --tset\n"), null);
});

test("unittest's summary is tallied: failures and errors failed, skips neither", () => {
  const ok = "test_a ... ok\n\n----\nRan 12 tests in 0.300s\n\nOK (skipped=2)\n";
  assert.deepEqual(tallyUnittest(ok), { passed: 10, failed: 0 });
  const bad = "Ran 9 tests in 1.0s\n\nFAILED (failures=2, errors=1, skipped=1)\n";
  assert.deepEqual(tallyUnittest(bad), { passed: 5, failed: 3 });
  assert.deepEqual(tallyUnittest("Ran 1 test in 0.001s\n\nOK\n"), { passed: 1, failed: 0 });
  // An import error before any test ran prints no verdict worth trusting.
  assert.equal(tallyUnittest("Traceback (most recent call last):\nImportError\n"), null);
});
