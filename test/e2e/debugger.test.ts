import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { join } from "node:path";
import { BIN, ROOT, app, tempDir } from "./harness.js";

// Drives the CLI on a pseudo-terminal (Python's pty module), as a developer at pdb would.
const SESSION = join(ROOT, "test", "fixtures", "pty", "pdb_session.py");

const run = promisify(execFile);

type Report = Record<string, string | number | boolean | null>;

async function pdbSession(mode: "failures" | "startup"): Promise<Report> {
  const args = [SESSION, process.execPath, BIN, app("debug_app.wsgi"), tempDir(), mode];
  const { stdout } = await run("python3", args, { timeout: 90_000 });
  return JSON.parse(stdout) as Report;
}

test("--enable-debugger: pdb post-mortem on the terminal for a failing call and iteration, then 500", async () => {
  const report = await pdbSession("failures");
  assert.equal(report["error"], undefined);
  assert.match(String(report["call_printed"]), /'debugger-sees-this'/);
  assert.equal(report["call_status"], 500);
  assert.match(String(report["iteration_printed"]), /^p 6 \* 7\r?\n42\r?\n/);
  assert.equal(report["iteration_status"], 500);
  // The server keeps serving.
  assert.equal(report["after_status"], 200);
});

test("--debugger-startup stops in pdb once the application is loaded", async () => {
  const report = await pdbSession("startup");
  assert.equal(report["error"], undefined);
  assert.equal(report["startup_prompt"], true);
  assert.equal(report["after_status"], 200);
});
