/**
 * Issue #21: restarts reach the telemetry with their reason (here through
 * --server-status alone, which turns the recorder on for ?format=prometheus), and a
 * dashboard port that cannot be had is one clear start-up error.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:net";
import { app, request, runCli, startServer, tempDir } from "./harness.js";
import { scrape, until, value } from "./telemetry-helpers.js";

test("--maximum-requests: the replacements are counted with their reason", async (t) => {
  const server = await startServer([
    app("hello.wsgi"),
    ...["--server-status", "--maximum-requests", "2", "--telemetry-interval", "0.5"],
  ]);
  t.after(() => server.stop());
  const status = new URL("/server-status?format=prometheus", server.url).href;
  // Each request is answered (no queued request is dropped by a recycle).
  for (let i = 0; i < 4; i++) assert.equal((await request(server.url)).status, 200);
  const families = await until(
    () => scrape(status),
    (f) =>
      value(f, "wsgi_express_process_restarts_total", { reason: "maximum_requests" }) >= 1 &&
      value(f, "wsgi_express_requests_total", { status_class: "2xx" }) === 4,
  );
  assert.equal(
    Number.isNaN(value(families, "wsgi_express_process_restarts_total", { reason: "exit" })),
    true,
  );
});

test("--telemetry-ui-port taken: one error line naming the option, exit status 1", async (t) => {
  const holder = createServer();
  await new Promise<void>((resolve) => holder.listen(0, "127.0.0.1", resolve));
  t.after(() => holder.close());
  const address = holder.address();
  assert.ok(address !== null && typeof address === "object");
  const result = await runCli([
    "start-server",
    app("hello.wsgi"),
    ...["--port", "0", "--server-root", tempDir()],
    ...["--enable-telemetry", "--telemetry-ui-port", String(address.port)],
  ]);
  assert.equal(result.status, 1);
  assert.match(
    result.stderr,
    /^wsgi-express: error: --telemetry-ui-port: cannot listen on 127\.0\.0\.1:\d+/m,
  );
  assert.doesNotMatch(result.stderr, /\n\s+at /, "no stack trace");
});
