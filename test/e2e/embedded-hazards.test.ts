/**
 * Issue #25, embedded mode's hazards: SystemExit in a view, signals the app installs,
 * OpenSSL through Python inside a node process, the GIL never on the event loop, and a
 * worker's crash (replaced while another worker serves).
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, openSync, closeSync, writeSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { app, eventually, request, startServer, tempDir } from "./harness.js";

const HAZARDS = app("embedded_hazards.wsgi");
const SHA256_X = "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881";

async function pid(url: string): Promise<number> {
  const response = await request(`${url}pid`);
  assert.equal(response.status, 200);
  const [value, thread] = response.body.toString().split(" ");
  // Requests never run on Python's main thread: that is the event loop's.
  assert.equal(thread, "other");
  return Number(value);
}

test("SystemExit, signal handlers, ssl and hashlib inside an embedded app", async (t) => {
  const server = await startServer([HAZARDS, "--embedded-mode", "--threads", "2"]);
  t.after(() => server.stop("SIGKILL"));
  const worker = await pid(server.url);
  // sys.exit() in a view: a 500, logged; the worker lives on.
  const exit = await request(`${server.url}exit`);
  assert.equal(exit.status, 500);
  assert.equal(await pid(server.url), worker);
  await eventually(server.errorLog, (log) => /SystemExit: 3/.test(log));
  // The app's handler is not installed (mod_wsgi's WSGIRestrictSignal): logged.
  const installed = await request(`${server.url}signal`);
  assert.equal(installed.status, 200);
  await eventually(server.errorLog, (log) =>
    /Callback registration for signal 15 ignored/.test(log),
  );
  // Python's ssl and hashlib work inside the node process (OpenSSL checked at start).
  const ssl = await request(`${server.url}ssl`);
  assert.equal(ssl.status, 200);
  const [digest, ...version] = ssl.body.toString().split(" ");
  assert.equal(digest, SHA256_X);
  assert.match(version.join(" "), /^OpenSSL \d+\.\d+/);
  // SIGTERM still stops it, although the app asked to ignore SIGTERM (twice).
  assert.equal(await server.stop("SIGTERM"), 0);
  assert.equal(existsSync(`/proc/${worker}`), false);
});

test("the event loop never needs the GIL: it serves while a thread holds it", async (t) => {
  const dir = tempDir();
  const fifo = join(dir, "fifo");
  const marker = join(dir, "holding");
  execFileSync("mkfifo", [fifo]);
  const server = await startServer([
    HAZARDS,
    "--embedded-mode",
    "--threads",
    "2",
    "--liveness-path",
    "/alive",
  ]);
  t.after(() => server.stop("SIGKILL"));
  let settled = false;
  const holding = request(`${server.url}hold-gil?fifo=${fifo}&marker=${marker}`).then((r) => {
    settled = true;
    return r;
  });
  await eventually(
    () => existsSync(marker),
    (there) => there,
  );
  // A thread sits in read(2) holding the GIL: the event loop still answers, and still
  // hands a request to the other Python thread (which waits for the GIL).
  const waiting = request(`${server.url}pid`);
  const alive = await request(`${server.url}alive`);
  assert.equal(alive.status, 200);
  assert.equal(settled, false);
  const writer = openSync(fifo, "w");
  writeSync(writer, "x");
  closeSync(writer);
  assert.equal((await holding).body.toString(), "released");
  assert.equal((await waiting).status, 200);
});

test("a worker that crashes is replaced while another keeps serving", async (t) => {
  const server = await startServer([HAZARDS, "--embedded-mode", "--processes", "2"]);
  t.after(() => server.stop("SIGKILL"));
  const before = new Set<number>();
  // Both workers accept from the shared socket; asking until both answered is bounded.
  for (let i = 0; i < 200 && before.size < 2; i++) before.add(await pid(server.url));
  assert.equal(before.size, 2);
  await request(`${server.url}os-exit`).catch(() => null);
  await eventually(server.errorLog, (log) => /embedded worker \d+ exited with status 7/.test(log));
  // Whichever worker is left, or the replacement, answers meanwhile and after.
  const after = await pid(server.url);
  assert.ok(after > 0);
  await request(`${server.url}abort`).catch(() => null);
  await eventually(server.errorLog, (log) => /exited with signal SIGABRT/.test(log));
  // Replacements serve: a pid neither of the first two had, within a bounded number of
  // requests (a refused connection while both are being replaced is retried).
  let replacement = 0;
  for (let i = 0; i < 400 && replacement === 0; i++) {
    const value = await pid(server.url).catch(() => 0);
    if (value !== 0 && !before.has(value)) replacement = value;
    else await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.notEqual(replacement, 0);
  assert.equal(await server.stop(), 0);
});
