import { test } from "node:test";
import assert from "node:assert/strict";
import { HEAP_GROWING_PERCENT, heapGrowingFlag } from "../../../src/lifecycle/heap-tuning.js";

test("the front end sets V8's heap growing factor", () => {
  assert.equal(heapGrowingFlag([]), `--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  assert.equal(
    heapGrowingFlag(["--max-old-space-size=512", "--enable-source-maps"]),
    `--heap-growing-percent=${HEAP_GROWING_PERCENT}`,
  );
});

test("a heap growing factor given to node is kept", () => {
  assert.equal(heapGrowingFlag(["--heap-growing-percent=150"]), null);
  assert.equal(heapGrowingFlag(["--heap-growing-percent", "150"]), null);
  assert.equal(heapGrowingFlag(["--heap_growing_percent=150"]), null);
  // Not a prefix match on some other flag.
  assert.notEqual(heapGrowingFlag(["--heap-growing-percentage-x"]), null);
});
