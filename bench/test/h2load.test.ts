import assert from "node:assert/strict";
import { test } from "node:test";
import { parseH2load } from "../lib/h2load.js";

// A report of Debian's h2load (nghttp2 1.52.0) with -D, trimmed to the lines read.
const REPORT = `finished in 1.03s, 182.00 req/s, 6.17KB/s
requests: 182 total, 186 started, 182 done, 179 succeeded, 3 failed, 1 errored, 2 timeout
status codes: 179 2xx, 0 3xx, 3 4xx, 0 5xx
traffic: 6.17KB (6316) total, 456B (456) headers (space savings 94.17%), 910B (910) data
                     min         max         mean         sd        +/- sd
time for request:      441us     98.84ms     21.77ms     22.69ms    89.01%
time for connect:       63us        91us        77us        19us   100.00%
`;

test("parseH2load reads requests done, the rate, the mean time and every failure", () => {
  assert.deepEqual(parseH2load(REPORT), { requests: 182, rps: 182, meanMs: 21.77, errors: 6 });
  const micro = REPORT.replace("21.77ms", "950.5us");
  assert.equal(parseH2load(micro).meanMs, 0.9505);
  assert.throws(() => parseH2load("h2load: connection refused"), /unreadable h2load output/);
});
