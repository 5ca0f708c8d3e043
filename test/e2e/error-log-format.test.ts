import { test } from "node:test";
import assert from "node:assert/strict";
import { app, eventually, request, runCli, startServer } from "./harness.js";

test("--error-log-format shapes the lines of the error log file", async (t) => {
  const server = await startServer([
    app("noisy.wsgi"),
    "--log-level",
    "info",
    "--error-log-format",
    "%{cu}t <%l> pid=%P [client\\ %a] %-{Referer}i %M",
  ]);
  t.after(() => server.stop());
  const response = await request(server.url);
  assert.equal(response.status, 200);
  const stamp = String.raw`\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}`;
  // The app's own output (a daemon's stdout and wsgi.errors) and the front end's lines.
  const log = await eventually(server.errorLog, (text) => /written to wsgi\.errors$/m.test(text));
  assert.match(log, new RegExp(`^${stamp} <error> pid=\\d+  - printed by the app$`, "m"));
  assert.match(log, new RegExp(`^${stamp} <error> pid=\\d+  - written to wsgi\\.errors$`, "m"));
  // The server's own (in embedded mode its primary logs at notice, not info).
  assert.match(log, new RegExp(`^${stamp} <\\w+> pid=${server.child.pid}  - `, "m"));
  // No line keeps the default shape.
  assert.doesNotMatch(log, /\[wsgi:/);
});

test("an unknown --error-log-format directive is one start-up error naming it", async () => {
  const result = await runCli([
    "start-server",
    app("hello.wsgi"),
    "--error-log-format",
    "[%t] %Q %M",
  ]);
  assert.equal(result.status, 2);
  assert.equal(result.stderr.trim().split("\n").length, 1, result.stderr);
  assert.match(result.stderr, /--error-log-format: unknown directive '%Q'/);
});
