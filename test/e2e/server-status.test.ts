/**
 * Issue #21: --server-status, the front end's own /server-status page (Apache
 * mod_status's, as mod_wsgi-express configures it: localhost only), its ?auto form, and
 * the request each busy daemon thread runs.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { join } from "node:path";
import { promisify } from "node:util";
import {
  app,
  eventually,
  request,
  runCli,
  startServer,
  type RunningServer,
  tempDir,
  type Response,
} from "./harness.js";

const run = promisify(execFile);

/** A file the app waits for (announce_sleep.wsgi's ?gate=): opened on the way out too,
 *  so that a failed assertion never leaves the request sleeping out its minute. */
function gatePath(t: { after: (fn: () => void) => void }): string {
  const gate = join(tempDir(), "gate");
  t.after(() => {
    writeFileSync(gate, "");
  });
  return gate;
}

/** The ?auto lines as a map. */
function parseAuto(body: Buffer): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of body.toString().split("\n")) {
    const colon = line.indexOf(": ");
    if (colon > 0) fields.set(line.slice(0, colon), line.slice(colon + 2));
  }
  return fields;
}

/** Polls ?auto until `done` holds; the deadline only bounds a hang. */
async function autoUntil(
  url: string,
  done: (fields: Map<string, string>) => boolean,
): Promise<Map<string, string>> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const answer = await request(url);
    assert.equal(answer.status, 200);
    assert.match(String(answer.headers["content-type"]), /^text\/plain/);
    const fields = parseAuto(answer.body);
    if (done(fields)) return fields;
    if (Date.now() > deadline) assert.fail(`not yet: ${answer.body.toString()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A GET from a client socket bound to `localAddress`. */
function requestFrom(localAddress: string, url: string): Promise<Response> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { localAddress, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => {
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) });
      });
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

test("--server-status: ?auto counts the requests and shows 2 processes x 3 threads", async (t) => {
  const args = [
    app("announce_sleep.wsgi"),
    "--server-status",
    "--processes",
    "2",
    "--threads",
    "3",
  ];
  const server = await startServer(args);
  t.after(() => server.stop());
  const status = new URL("/server-status?auto", server.url).href;
  const N = 5;
  for (let i = 0; i < N; i++) {
    assert.equal((await request(new URL(`/?seconds=0&id=r${i}`, server.url).href)).status, 200);
  }
  // Every thread connects in its own time, and the last request's thread is marked idle
  // a moment after its response went out: wait until all six are on the board, idle.
  const fields = await autoUntil(status, (f) => /^_{6}$/.test(f.get("Scoreboard") ?? ""));
  assert.ok(
    Number(fields.get("Total Accesses")) >= N,
    `Total Accesses: ${fields.get("Total Accesses")}`,
  );
  assert.match(fields.get("Total kBytes") ?? "", /^\d+$/);
  assert.match(fields.get("Uptime") ?? "", /^\d+$/);
  assert.equal(fields.get("Scoreboard")?.length, 6);
  // The status request is served by the front end: every daemon thread is idle.
  assert.equal(fields.get("BusyWorkers"), "0");
  assert.equal(fields.get("IdleWorkers"), "6");
  assert.equal(fields.get("QueuedRequests"), "0");
  const page = await request(new URL("/server-status", server.url).href);
  assert.equal(page.status, 200);
  assert.match(String(page.headers["content-type"]), /^text\/html/);
  assert.match(page.body.toString(), /Total accesses: \d+/);
  assert.match(page.body.toString(), /0 requests currently being processed, 6 idle workers/);
});

/** One process with `threads` idle threads, all on the board, and a request that holds
 *  one of them (announce_sleep.wsgi at `path`) until the returned gate is opened. */
async function holdingOneThread(
  t: { after: (fn: () => unknown) => void },
  threads: number,
  path: string,
): Promise<{ server: RunningServer; status: string; gate: string; held: Promise<Response> }> {
  const args = [app("announce_sleep.wsgi"), "--server-status", "--processes", "1"];
  const server = await startServer([...args, "--threads", String(threads)]);
  t.after(() => server.stop());
  const status = new URL("/server-status?auto", server.url).href;
  await autoUntil(status, (f) => f.get("Scoreboard") === "_".repeat(threads));
  // It sleeps until the test has read the status: the gate opens at the end.
  const gate = gatePath(t);
  const held = request(new URL(`${path}?gate=${gate}&id=held`, server.url).href);
  await eventually(server.errorLog, (log) => log.includes("sleeping held"), 20_000);
  return { server, status, gate, held };
}

test("a request in flight shows as busy, with its method and URI", async (t) => {
  const { server, status, gate, held } = await holdingOneThread(t, 2, "/nap");
  const auto = parseAuto((await request(status)).body);
  assert.equal(auto.get("BusyWorkers"), "1", [...auto].join("\n"));
  assert.equal(auto.get("IdleWorkers"), "1");
  assert.match(auto.get("Scoreboard") ?? "", /^(W_|_W)$/);
  const page = (await request(new URL("/server-status", server.url).href)).body.toString();
  assert.match(page, /<td>W<\/td><td>[\d.]+<\/td><td>GET \/nap\?gate=[^<]+&amp;id=held<\/td>/);
  writeFileSync(gate, "");
  assert.equal((await held).status, 200);
});

test("a request waiting for the only thread counts as queued", async (t) => {
  const { server, status, gate, held } = await holdingOneThread(t, 1, "/");
  const next = request(new URL("/?seconds=0&id=next", server.url).href);
  // Queued, or written ahead to the busy thread and not started: both wait for it.
  const fields = await autoUntil(status, (f) => f.get("QueuedRequests") === "1");
  assert.equal(fields.get("BusyWorkers"), "1");
  assert.equal(fields.get("IdleWorkers"), "0");
  assert.equal(fields.get("Scoreboard"), "W");
  writeFileSync(gate, "");
  assert.equal((await held).status, 200);
  assert.equal((await next).status, 200);
  const after = await autoUntil(status, (f) => f.get("BusyWorkers") === "0");
  assert.equal(after.get("QueuedRequests"), "0");
});

test("from any address but localhost: 403; without --server-status the app answers", async (t) => {
  const withStatus = await startServer([app("hello.wsgi"), "--server-status"]);
  t.after(() => withStatus.stop());
  const url = new URL("/server-status?auto", withStatus.url).href;
  // Linux routes all of 127/8 to lo: a socket bound to 127.0.0.2 reaches 127.0.0.1.
  const far = await requestFrom("127.0.0.2", url);
  assert.equal(far.status, 403);
  assert.doesNotMatch(far.body.toString(), /Total Accesses/);
  const near = await requestFrom("127.0.0.1", url);
  assert.equal(near.status, 200);
  assert.match(near.body.toString(), /^Total Accesses: \d+$/m);
  const post = await request(url, { method: "POST", body: "x" });
  assert.equal(post.status, 405);

  const without = await startServer([app("hello.wsgi")]);
  t.after(() => without.stop());
  const toApp = await request(new URL("/server-status?auto", without.url).href);
  assert.equal(toApp.status, 200);
  assert.doesNotMatch(toApp.body.toString(), /Total Accesses/);
  assert.match(toApp.body.toString(), /Hello/i);
});

/** setup-server's root with `options`; its control script and the server's output file. */
async function setUp(options: string[]): Promise<{ control: string; root: string }> {
  const root = join(tempDir(), "root");
  const setup = await runCli([
    ...["setup-server", app("hello.wsgi"), "--host", "127.0.0.1", "--port", "0"],
    ...["--server-root", root, ...options],
  ]);
  assert.equal(setup.status, 0, setup.stderr);
  return { control: join(root, "apachectl"), root };
}

test("apachectl status prints the running server's ?auto page (--port 0: from its banner)", async (t) => {
  const { control, root } = await setUp(["--server-status"]);
  const notRunning = await run(control, ["status"], { cwd: "/" }).catch((e: unknown) => e);
  assert.match(String((notRunning as { stderr?: string }).stderr), /not running/);
  t.after(async () => {
    if (existsSync(join(root, "httpd.pid"))) {
      await run(control, ["stop"], { cwd: "/" }).catch(() => undefined);
    }
  });
  await run(control, ["start"], { cwd: "/" });
  const out = await eventually(
    () => readFileSync(join(root, "wsgi-express.out"), "utf8"),
    (text) => /^Application\s*:/m.test(text),
  );
  const url = /^Server URL\s*: (\S+)$/m.exec(out)?.[1] ?? "";
  for (let i = 0; i < 3; i++) assert.equal((await request(url)).status, 200);
  const status = await run(control, ["status"], { cwd: "/" });
  const fields = parseAuto(Buffer.from(status.stdout));
  assert.ok(Number(fields.get("Total Accesses")) >= 3, status.stdout);
  assert.match(fields.get("Scoreboard") ?? "", /^[_W.]+$/);
});

test("apachectl status without --server-status says what it needs", async () => {
  const { control } = await setUp([]);
  const failed = await run(control, ["status"], { cwd: "/" }).catch((e: unknown) => e);
  assert.equal((failed as { code?: number }).code, 1);
  assert.match(String((failed as { stderr?: string }).stderr), /status needs --server-status/);
});
