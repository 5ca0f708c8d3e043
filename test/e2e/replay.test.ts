import { test } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { app, request, runCli, startServer, tempDir } from "./harness.js";

test("replay: no differences against the same app, one after the app changes", async () => {
  const work = tempDir();
  const script = join(work, "app.wsgi");
  copyFileSync(app("debug_app.wsgi"), script);
  const recorded = tempDir();
  const recorder = await startServer([
    script,
    "--enable-recorder",
    "--recorder-directory",
    recorded,
  ]);
  try {
    await request(`${recorder.url}?q=a%20b`, { headers: { "X-Custom": 'it\'s "quoted"' } });
    await request(`${recorder.url}echo`, { method: "POST", body: "a body\n\xe9" });
    await request(`${recorder.url}stream`);
  } finally {
    await recorder.stop();
  }

  const same = await startServer([script]);
  try {
    const result = await runCli(["replay", recorded, same.url]);
    assert.equal(result.status, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /^3 requests replayed, 0 differ$/m);
  } finally {
    await same.stop();
  }

  writeFileSync(script, readFileSync(script, "utf8").replace('b"three"', 'b"four"'));
  const changed = await startServer([script]);
  try {
    const result = await runCli(["replay", recorded, changed.url]);
    assert.equal(result.status, 1);
    assert.match(result.stdout, /GET \/stream: differs \(body 13 -> 12 bytes\)$/m);
    assert.match(result.stdout, /^3 requests replayed, 1 differ$/m);
  } finally {
    await changed.stop();
  }
});

test("replay: usage errors have codes' exit statuses", async () => {
  assert.equal((await runCli(["replay"])).status, 2);
  assert.equal((await runCli(["replay", tempDir(), "not a url"])).status, 2);
});
