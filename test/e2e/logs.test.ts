import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { app, eventually, request, startServer } from "./harness.js";

const COMMON =
  /^127\.0\.0\.1 - - \[\d{2}\/\w{3}\/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4}\] "GET \/some\/path\?q=1 HTTP\/1\.1" 200 12$/m;

test("--access-log writes Apache common format lines to access_log", async (t) => {
  const server = await startServer([app("hello.wsgi"), "--access-log"]);
  t.after(() => server.stop());
  await request(`${server.url}some/path?q=1`);
  const path = join(server.serverRoot, "access_log");
  await eventually(
    () => (existsSync(path) ? readFileSync(path, "utf8") : ""),
    (log) => COMMON.test(log),
  );
  assert.match(server.banner(), /^Access Log File\s*: .*access_log$/m);
});

test("--access-log-format combined adds the referer and user agent", async (t) => {
  const server = await startServer([
    app("hello.wsgi"),
    "--access-log",
    "--access-log-format",
    "combined",
  ]);
  t.after(() => server.stop());
  await request(server.url, { headers: { Referer: "http://ref/", "User-Agent": "agent/1.0" } });
  const path = join(server.serverRoot, "access_log");
  await eventually(
    () => (existsSync(path) ? readFileSync(path, "utf8") : ""),
    (log) => / 200 12 "http:\/\/ref\/" "agent\/1\.0"$/m.test(log),
  );
});

test("--log-to-terminal: the error log on stderr, the access log on stdout", async (t) => {
  const server = await startServer([app("noisy.wsgi"), "--log-to-terminal", "--access-log"]);
  t.after(() => server.stop());
  await request(`${server.url}some/path?q=1`);
  await eventually(server.banner, (out) => /"GET \/some\/path\?q=1 HTTP\/1\.1" 200 12$/m.test(out));
  await eventually(server.stderr, (err) =>
    /\[wsgi:error\] \[pid \d+\] printed by the app$/m.test(err),
  );
  await eventually(server.stderr, (err) => /written to wsgi\.errors$/m.test(err));
  assert.equal(existsSync(join(server.serverRoot, "error_log")), false);
});

test("--log-directory and the log file names", async (t) => {
  const server = await startServer([
    app("hello.wsgi"),
    "--access-log",
    "--error-log-name",
    "errors.txt",
    "--access-log-name",
    "requests.txt",
  ]);
  t.after(() => server.stop());
  await request(server.url);
  assert.match(server.banner(), /^Error Log File\s*: .*errors\.txt \(warn\)$/m);
  await eventually(
    () => {
      const path = join(server.serverRoot, "requests.txt");
      return existsSync(path) ? readFileSync(path, "utf8") : "";
    },
    (log) => / 200 12$/m.test(log),
  );
});
