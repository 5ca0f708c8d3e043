/**
 * Issue #22 item 7: the probes a container orchestrator uses (--liveness-path,
 * --readiness-path) answered by the front end before, after and without the app, and
 * the drain on SIGTERM (--shutdown-delay, then --shutdown-timeout).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  app,
  eventually,
  request,
  startServer,
  tempDir,
  type Response,
  notYetEmbedded,
} from "./harness.js";

const PROBES = ["--liveness-path", "/livez", "--readiness-path", "/readyz"];

/** A probe as kubelet sends it: Host is the pod's IP, not the --server-name. */
function probe(url: string, path: string): Promise<Response> {
  return request(new URL(path, url).href, { headers: { Host: "10.1.2.3:8000" } });
}

/** The probe's status, or 0 when the connection was refused. */
async function statusOf(url: string, path: string): Promise<number> {
  try {
    return (await probe(url, path)).status;
  } catch {
    return 0;
  }
}

/** Polls the probe until it answers `status`; the deadline only bounds a hang. */
async function statusBecomes(
  url: string,
  path: string,
  status: number,
  ms = 20_000,
): Promise<void> {
  const deadline = Date.now() + ms;
  let last = -1;
  while (Date.now() < deadline) {
    last = await statusOf(url, path);
    if (last === status) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.fail(`${path} answered ${last}, never ${status}`);
}

test(
  "while the app is still loading: liveness 200, readiness 503; once loaded, readiness 200",
  notYetEmbedded(
    "a worker answers nothing while its Python imports the app (on its main thread, in the addon's start), and the server is up once one has",
  ),
  async (t) => {
    const gate = join(tempDir(), "gate");
    const server = await startServer(
      [app("wait_for_gate.wsgi"), ...PROBES, "--startup-timeout", "0"],
      { env: { ...process.env, WSGI_EXPRESS_TEST_GATE: gate } },
    );
    t.after(() => server.stop());
    const live = await probe(server.url, "/livez");
    assert.equal(live.status, 200);
    assert.equal(live.body.toString(), "alive\n");
    const notReady = await probe(server.url, "/readyz?full=1");
    assert.equal(notReady.status, 503);
    assert.match(notReady.body.toString(), /no daemon process has loaded the application/);
    assert.equal(notReady.headers["cache-control"], "no-store");
    writeFileSync(gate, "");
    await statusBecomes(server.url, "/readyz", 200, 60_000);
    assert.equal((await probe(server.url, "/livez")).status, 200);
    assert.equal((await request(server.url)).body.toString(), "loaded\n");
  },
);

test("an app that fails to load: readiness stays 503, liveness 200", async (t) => {
  const server = await startServer([app("import_error.wsgi"), ...PROBES]);
  t.after(() => server.stop());
  assert.equal((await probe(server.url, "/livez")).status, 200);
  assert.equal((await probe(server.url, "/readyz")).status, 503);
});

test("probes: only GET and HEAD (405 otherwise), answered before host checks, without the app", async (t) => {
  const server = await startServer([
    app("announce_sleep.wsgi"),
    ...PROBES,
    ...["--server-name", "www.example.com"],
  ]);
  t.after(() => server.stop());
  const post = await request(new URL("/readyz", server.url).href, { method: "POST", body: "x" });
  assert.equal(post.status, 405);
  assert.equal(post.headers.allow, "GET, HEAD");
  await statusBecomes(server.url, "/readyz", 200);
  const head = await request(new URL("/readyz", server.url).href, {
    method: "HEAD",
    headers: { Host: "10.1.2.3:8000" },
  });
  assert.equal(head.status, 200);
  assert.equal(head.body.length, 0);
  // The same Host is refused for anything but a probe (--server-name is in force).
  const other = await request(server.url, { headers: { Host: "10.1.2.3:8000" } });
  assert.equal(other.status, 403);
  // The app never saw a probe: it writes "sleeping" to the log for each request it gets.
  assert.doesNotMatch(server.errorLog(), /sleeping/);
});

test("SIGTERM: readiness 503 at once while the listener stays open (--shutdown-delay), in-flight requests finish, exit 0", async (t) => {
  const server = await startServer([
    app("announce_sleep.wsgi"),
    ...PROBES,
    ...["--shutdown-delay", "10", "--shutdown-timeout", "30", "--log-level", "info"],
  ]);
  t.after(() => server.stop("SIGKILL"));
  // Ready once the daemon's threads have connected, a moment after it reported the app.
  await statusBecomes(server.url, "/readyz", 200);
  // A request that outlasts the delay: it is still running when the listener closes.
  const slow = request(`${server.url}?id=slow&seconds=12`);
  await eventually(server.errorLog, (log) => /sleeping slow/.test(log));
  server.child.kill("SIGTERM");
  await statusBecomes(server.url, "/readyz", 503);
  const during = await probe(server.url, "/readyz");
  assert.match(during.body.toString(), /shutting down/);
  // Still accepting and serving during the delay: liveness, and the app itself.
  assert.equal((await probe(server.url, "/livez")).status, 200);
  const served = await request(`${server.url}?id=late&seconds=0`);
  assert.equal(served.status, 200);
  assert.equal(served.body.toString(), "woke up late");
  const finished = await slow;
  assert.equal(finished.status, 200);
  assert.equal(finished.body.toString(), "woke up slow");
  assert.equal(await server.stop(), 0);
  assert.match(server.errorLog(), /caught SIGTERM, shutting down/);
});
