import { test } from "node:test";
import assert from "node:assert/strict";
import { HEAP_GROWING_PERCENT, heapFlags } from "../../../src/lifecycle/heap-tuning.js";

const GROWING = `--heap-growing-percent=${HEAP_GROWING_PERCENT}`;
const NO_PRETENURING = "--no-allocation-site-pretenuring";

test("the front end sets V8's heap growing factor and turns pretenuring off", () => {
  assert.deepEqual(heapFlags([]), [GROWING, NO_PRETENURING]);
  assert.deepEqual(heapFlags(["--max-old-space-size=512", "--enable-source-maps"]), [
    GROWING,
    NO_PRETENURING,
  ]);
});

test("a heap growing factor given to node is kept", () => {
  assert.deepEqual(heapFlags(["--heap-growing-percent=150"]), [NO_PRETENURING]);
  assert.deepEqual(heapFlags(["--heap-growing-percent", "150"]), [NO_PRETENURING]);
  assert.deepEqual(heapFlags(["--heap_growing_percent=150"]), [NO_PRETENURING]);
  // Not a prefix match on some other flag.
  assert.deepEqual(heapFlags(["--heap-growing-percentage-x"]), [GROWING, NO_PRETENURING]);
});

test("pretenuring named to node, on or off, is left as given", () => {
  assert.deepEqual(heapFlags(["--allocation-site-pretenuring"]), [GROWING]);
  assert.deepEqual(heapFlags(["--no-allocation-site-pretenuring"]), [GROWING]);
  assert.deepEqual(heapFlags(["--no_allocation_site_pretenuring"]), [GROWING]);
});
