/**
 * Issue #25, embedded mode's hazards with processes: os.fork() from the app is refused
 * with an exception naming embedded mode (a fork of a node worker would copy half of
 * it), while multiprocessing's spawn method works; and MOD_WSGI_HTTP_PORT holds the
 * bound port with --port 0, in every worker, from the app's import on.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { app, request, startServer, MODE } from "./harness.js";

const PROCESSES = app("embedded_processes.wsgi");

async function text(url: string): Promise<string> {
  const response = await request(url);
  assert.equal(response.status, 200);
  return response.body.toString();
}

const REFUSED =
  /^refused EmbeddedForkError: os\.fork\(\) is not available in embedded mode: .*multiprocessing\.get_context\('spawn'\)/;

test("os.fork() in an embedded worker raises, naming embedded mode; the worker serves on", async (t) => {
  const server = await startServer([PROCESSES, "--embedded-mode", "--threads", "2"]);
  t.after(() => server.stop());
  const pid = await text(server.url);
  assert.match(await text(`${server.url}fork`), REFUSED);
  // multiprocessing's "fork" start method goes through os.fork(): refused the same way.
  assert.match(await text(`${server.url}mp-fork`), REFUSED);
  assert.equal(await text(server.url), pid);
  assert.equal(await server.stop(), 0);
});

test("in daemon mode the same app may fork", async (t) => {
  const server = await startServer([PROCESSES]);
  t.after(() => server.stop());
  const forked = await text(`${server.url}fork`);
  // Under WSGI_EXPRESS_MODE=embedded the harness adds --embedded-mode: refused there.
  if (MODE === "embedded") assert.match(forked, REFUSED);
  else assert.equal(forked, "forked");
});

test("a multiprocessing spawn Pool does work in a request of an embedded worker", async (t) => {
  const server = await startServer([PROCESSES, "--embedded-mode"]);
  t.after(() => server.stop());
  for (let round = 0; round < 2; round++) {
    const answer = JSON.parse(await text(`${server.url}spawn`)) as {
      results: number[];
      parent: number;
      children: number[];
    };
    const factorials = [1, 1, 2, 6, 24, 120, 720, 5040, 40320, 362880, 3628800, 39916800];
    assert.deepEqual(answer.results, factorials);
    assert.equal(answer.parent, Number(await text(server.url)));
    assert.ok(
      answer.children.length >= 1 && answer.children.length <= 2,
      answer.children.join(", "),
    );
    assert.ok(!answer.children.includes(answer.parent), "the work ran in spawned processes");
  }
  assert.equal(await server.stop(), 0);
});

test("MOD_WSGI_HTTP_PORT with --port 0 is the bound port in every embedded worker", async (t) => {
  const server = await startServer([PROCESSES, "--embedded-mode", "--processes", "2"]);
  t.after(() => server.stop());
  const pids = new Set<string>();
  // Both workers accept from the shared socket; asking until both answered is bounded.
  for (let i = 0; i < 200 && pids.size < 2; i++) {
    pids.add(await text(server.url));
    assert.equal(await text(`${server.url}port`), `${server.port} ${server.port}`);
  }
  assert.equal(pids.size, 2);
});
