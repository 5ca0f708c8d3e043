import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { app, request, runCli, startServer, tempDir } from "./harness.js";
import { coveragePython } from "./debug-python.js";

const DEBUG_APP = app("debug_app.wsgi");

test("--debug-mode: one process with one thread, timeouts off, on the terminal", async (t) => {
  const server = await startServer([
    DEBUG_APP,
    "--debug-mode",
    "--processes",
    "3",
    "--threads",
    "4",
    "--request-timeout",
    "1",
  ]);
  t.after(() => server.stop());
  assert.match(server.banner(), /^Request Capacity\s*: 1 \(1 process \* 1 thread\)$/m);
  // No daemons, so no daemon timeouts: mod_wsgi-express leaves their lines out.
  assert.doesNotMatch(server.banner(), /Timeout/);
  assert.match(server.banner(), /^Operating Mode\s*: debug$/m);
  assert.equal((await request(server.url)).body.toString(), "hello");
  // The daemon's stderr is the terminal's (here the CLI's), not the error log.
  await request(`${server.url}call-error`);
  assert.match(server.stderr() + server.banner(), /RuntimeError: call-error/);
});

test("--enable-profiler writes one <microseconds>-<pid>.pstats that pstats loads", async (t) => {
  const directory = tempDir();
  const server = await startServer([
    DEBUG_APP,
    "--enable-profiler",
    "--profiler-directory",
    directory,
  ]);
  t.after(() => server.stop());
  assert.equal((await request(server.url)).status, 200);
  assert.equal(await server.stop(), 0);
  const files = readdirSync(directory);
  assert.equal(files.length, 1);
  assert.match(files[0] ?? "", /^\d{16}-\d+\.pstats$/);
  const script =
    "import pstats, sys; s = pstats.Stats(sys.argv[1]);" +
    " print(any(k[2] == 'application' for k in s.stats))";
  const out = execFileSync("python3", ["-c", script, join(directory, files[0] ?? "")]);
  assert.equal(out.toString().trim(), "True");
});

test("--enable-coverage writes an HTML report with the covered and uncovered lines", async (t) => {
  const directory = tempDir();
  const server = await startServer([
    DEBUG_APP,
    "--enable-coverage",
    "--coverage-directory",
    directory,
    "--python-executable",
    coveragePython(),
  ]);
  t.after(() => server.stop());
  assert.match(
    server.banner(),
    new RegExp(`^Coverage Output\\s*: ${join(directory, "index.html")}$`, "m"),
  );
  await request(`${server.url}stream`);
  assert.equal(await server.stop(), 0);
  const index = readFileSync(join(directory, "index.html"), "utf8");
  assert.match(index, /debug_app/);
  const page = readdirSync(directory).find((name) => /debug_app.*\.html$/.test(name)) ?? "";
  const html = readFileSync(join(directory, page), "utf8");
  // Covered: the /stream branch; not covered: the /never answer.
  assert.equal(lineClass(html, "return _stream()"), "run");
  assert.equal(lineClass(html, 'return [b"this line is never covered"]'), "mis show_mis");
});

/** The class of coverage.py's `<p>` for the source line containing `text`. */
function lineClass(html: string, text: string): string | undefined {
  const plain = (line: string): string =>
    line
      .replace(/<[^>]*>/g, "")
      .replaceAll("&quot;", '"')
      .replaceAll("&nbsp;", " ");
  const line = html.split("\n").find((candidate) => plain(candidate).includes(text));
  return line === undefined ? undefined : /<p class="([^"]*)"/.exec(line)?.[1];
}

test("--enable-coverage refuses to start when coverage is not importable", async () => {
  const venv = tempDir();
  execFileSync("python3", ["-m", "venv", "--without-pip", venv]);
  const args = ["start-server", DEBUG_APP, "--enable-coverage", "--python-executable", venv];
  const result = await runCli([...args, "--server-root", tempDir(), "--port", "0"]);
  assert.equal(result.status, 2);
  assert.match(result.stderr, /--enable-coverage.*pip install coverage/);
});

/** The recorder's keys (one per request), in request order, each as a reader of its
 *  files by suffix. */
function recordings(directory: string): ((suffix: string) => string)[] {
  const keys = [...new Set(readdirSync(directory).map((name) => name.split(".")[0] ?? ""))];
  // <microseconds>-<pid>-<n>: n orders the requests of one process.
  keys.sort((a, b) => Number(a.split("-")[2]) - Number(b.split("-")[2]));
  return keys.map((key) => (suffix) => readFileSync(join(directory, `${key}.${suffix}`), "latin1"));
}

test("--enable-recorder: seven files per request, write() and streamed bodies included", async (t) => {
  const directory = tempDir();
  const server = await startServer([
    DEBUG_APP,
    "--enable-recorder",
    "--recorder-directory",
    directory,
  ]);
  t.after(() => server.stop());
  const echo = await request(`${server.url}echo?x=1`, { method: "POST", body: "request body" });
  assert.equal(echo.body.toString(), "request body");
  assert.equal((await request(`${server.url}write`)).body.toString(), "written,returned");
  assert.equal((await request(`${server.url}stream`)).body.toString(), "one,two,three");
  assert.equal((await request(`${server.url}call-error`)).status, 500);
  await request(`${server.url}iter-error`).catch(() => null);
  await request(`${server.url}close-error`).catch(() => null);
  const [post, write, stream, callError, iterError, closeError] = recordings(directory);
  const file = (record: ((suffix: string) => string) | undefined, suffix: string): string =>
    record?.(suffix) ?? "";
  // Seven files for each of the six requests, always created even when empty.
  assert.equal(readdirSync(directory).length, 6 * 7);
  assert.match(file(post, "iheaders"), /'QUERY_STRING': 'x=1'/);
  assert.match(file(post, "iheaders"), /'REQUEST_METHOD': 'POST'/);
  assert.equal(file(post, "icontent"), "request body");
  assert.equal(file(post, "ocontent"), "request body");
  assert.match(file(post, "oheaders"), /^\('200 OK', \[\('Content-Type', 'text\/plain'\)\]\)$/);
  assert.equal(file(post, "oaexcept"), "");
  assert.equal(file(write, "ocontent"), "written,returned");
  assert.equal(file(stream, "ocontent"), "one,two,three");
  assert.match(file(callError, "oaexcept"), /RuntimeError: call-error/);
  assert.match(file(iterError, "orexcept"), /RuntimeError: iter-error/);
  assert.equal(file(iterError, "ocontent"), "partial");
  assert.match(file(closeError, "ofexcept"), /RuntimeError: close-error/);
});
