import { test } from "node:test";
import assert from "node:assert/strict";
import { probeAnswer } from "../../../src/front-door/health.js";

const CONFIG = {
  livenessPath: "/livez",
  readinessPath: "/readyz",
  shutdownDelay: 0,
  serverStatus: false,
};
const READY = { appReady: true, draining: false };
const LOADING = { appReady: false, draining: false };
const DRAINING = { appReady: true, draining: true };

test("other paths are not probes, whatever the state", () => {
  for (const url of ["/", "/livez/", "/readyz/x", "/LIVEZ", "/x?/livez"]) {
    assert.equal(probeAnswer(CONFIG, "GET", url, READY), null);
  }
  const none = { livenessPath: null, readinessPath: null, shutdownDelay: 0, serverStatus: false };
  assert.equal(probeAnswer(none, "GET", "/livez", READY), null);
});

test("liveness is 200 while the app loads, when ready and while draining", () => {
  for (const state of [LOADING, READY, DRAINING]) {
    assert.equal(probeAnswer(CONFIG, "GET", "/livez", state)?.status, 200);
  }
});

test("readiness: 503 while no daemon has loaded the app, 200 once one has", () => {
  const loading = probeAnswer(CONFIG, "GET", "/readyz", LOADING);
  assert.equal(loading?.status, 503);
  assert.match(loading.body, /no daemon process has loaded the application/);
  assert.equal(probeAnswer(CONFIG, "GET", "/readyz?verbose=1", READY)?.status, 200);
});

test("readiness: 503 as soon as the server drains, though the app is loaded", () => {
  const answer = probeAnswer(CONFIG, "HEAD", "/readyz", DRAINING);
  assert.equal(answer?.status, 503);
  assert.match(answer.body, /shutting down/);
});

test("a probe answers only GET and HEAD: 405 with Allow otherwise", () => {
  const answer = probeAnswer(CONFIG, "POST", "/readyz", READY);
  assert.equal(answer?.status, 405);
  assert.equal(answer.headers.Allow, "GET, HEAD");
});

test("probe answers are never cached", () => {
  assert.equal(probeAnswer(CONFIG, "GET", "/livez", READY)?.headers["Cache-Control"], "no-store");
});
