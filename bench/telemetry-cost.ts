/**
 * What telemetry adds to one request, in CPU time (process.cpuUsage, so that a busy
 * machine's waits do not count): a trace begun, attached, left and closed, and its
 * record counted (front-door/request-trace.ts, src/telemetry/), against only the
 * EventEmitter a response is. Compare with the front end's CPU per hello request.
 * Usage: node dist/bench/telemetry-cost.js (1.1-1.4 us on the 2-core CI machine, against
 * ~170 us of front-end CPU per hello request: the figures are in its commit message).
 */
import { EventEmitter } from "node:events";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Exchange } from "../src/exchange/exchange.js";
import { RequestTracer } from "../src/front-door/request-trace.js";
import { systemTimers } from "../src/process/timers.js";
import { Telemetry } from "../src/telemetry/telemetry.js";

const N = 300_000;
const telemetry = new Telemetry(
  { intervalSeconds: 1, slowRequestSeconds: 1 },
  {
    pool: { status: () => ({ processSlots: 1, threadsPerProcess: 5, processes: [], waiting: 0 }) },
    readUsage: () => Promise.resolve(null),
    timers: systemTimers,
    wallClock: () => Date.now() / 1000,
  },
);
const tracer = new RequestTracer(telemetry, { captureUserAgent: false, captureQueryString: false });
const req = { method: "GET", url: "/", headers: {} } as unknown as IncomingMessage;

function cpuNsPerRequest(traced: boolean): number {
  const start = process.cpuUsage();
  for (let i = 0; i < N; i++) {
    const res = Object.assign(new EventEmitter(), { statusCode: 200 }) as unknown as ServerResponse;
    if (traced) {
      const now = performance.now();
      const trace = tracer.begin(req, res, Date.now() / 1000, () => undefined);
      const timing = {
        queueStart: Date.now() / 1000,
        queuedAt: now,
        startedAt: now,
        pid: 1,
        thread: 1,
      };
      trace.attach({ environ: { REQUEST_URI: "/" }, timing } as unknown as Exchange);
      trace.leave();
    }
    res.emit("close");
  }
  const used = process.cpuUsage(start);
  return ((used.user + used.system) * 1000) / N;
}

cpuNsPerRequest(true);
cpuNsPerRequest(false);
for (let round = 0; round < 3; round++) {
  const cost = cpuNsPerRequest(true) - cpuNsPerRequest(false);
  process.stdout.write(`telemetry: ${cost.toFixed(0)} ns of CPU per request\n`);
}
