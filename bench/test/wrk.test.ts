import assert from "node:assert/strict";
import { test } from "node:test";
import { parseWrk, wrkArgs } from "../lib/wrk.js";

// A report of Debian's wrk 4.1.0 with --latency, trimmed to the lines read.
const REPORT = `Running 5s test @ http://127.0.0.1:8000/
  1 threads and 50 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     7.64ms    3.10ms  60.60ms   90.00%
    Req/Sec     5.10k   300.00     5.50k    70.00%
  Latency Distribution
     50%    7.64ms
     75%    8.00ms
     90%    9.00ms
     99%   60.60ms
  25405 requests in 5.00s, 3.05MB read
  Socket errors: connect 0, read 12, write 0, timeout 3
  Non-2xx or 3xx responses: 5
Requests/sec:   5081.00
Transfer/sec:    610.00KB
`;

test("parseWrk reads counts, rate, latencies and errors", () => {
  const result = parseWrk(REPORT);
  assert.equal(result.requests, 25405);
  assert.equal(result.seconds, 5);
  assert.equal(result.rps, 5081);
  assert.equal(result.meanMs, 7.64);
  assert.equal(result.p50Ms, 7.64);
  assert.equal(result.p99Ms, 60.6);
  assert.equal(result.errors, 20);
});

test("parseWrk converts us and s latencies to milliseconds", () => {
  const text = REPORT.replace("50%    7.64ms", "50%  100.00us").replace(
    "99%   60.60ms",
    "99%    1.20s",
  );
  const result = parseWrk(text);
  assert.equal(result.p50Ms, 0.1);
  assert.equal(result.p99Ms, 1200);
});

test("parseWrk fails loudly on output without a request count", () => {
  assert.throws(
    () => parseWrk("unable to connect to 127.0.0.1:1 Connection refused"),
    /unreadable/,
  );
});

test("wrkArgs: one thread, --latency, the script before the URL", () => {
  const args = wrkArgs({
    url: "http://127.0.0.1:1/",
    connections: 50,
    seconds: 5,
    script: "u.lua",
  });
  assert.deepEqual(args, [
    "-t1",
    "-c50",
    "-d5s",
    "--latency",
    "-s",
    "u.lua",
    "http://127.0.0.1:1/",
  ]);
});
