import assert from "node:assert/strict";
import { test } from "node:test";
import { APPS } from "../lib/apps.js";
import { PEERS } from "../lib/peers.js";
import { renderApp } from "../lib/render.js";
import type { Cell, Sample } from "../lib/stats.js";

const hello = APPS.find((app) => app.name === "hello");
const peer = (name: string) => PEERS.find((p) => p.name === name);

function cell(name: string, spreads: number[][]): Cell {
  const found = peer(name);
  assert.ok(found, name);
  const samples: Sample[] = spreads.map((connectionSpread) => ({
    wrk: { requests: 1000, seconds: 1, rps: 1000, meanMs: 50, p50Ms: 1, p99Ms: 2, errors: 0 },
    cpuSeconds: 0.1,
    peakRss: 1,
    rootPeakRss: 1,
    connectionSpread,
  }));
  return { peer: found, status: "ok", reason: "", idleRss: 1, idleRootRss: 1, samples };
}

test("the report shows a lopsided split of the connections between a peer's workers", () => {
  assert.ok(hello);
  const text = renderApp(hello, [
    cell("gunicorn-gthread", [[44, 6], [50], [25, 25]]),
    cell("granian", [
      [26, 24],
      [27, 23],
      [25, 25],
    ]),
    cell("wsgi-express", [[50], [50], [50]]),
  ]);
  assert.match(text, /gunicorn gthread: one worker held most .*mid-run: 44 \+ 6; 50; 25 \+ 25\./);
  // An even split, or a single front end holding them all by design, is not remarked on.
  assert.doesNotMatch(text, /Granian: one worker/);
  assert.doesNotMatch(text, /wsgi-express: one worker/);
});
