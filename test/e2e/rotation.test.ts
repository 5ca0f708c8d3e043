import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT, app, eventually, startServer } from "./harness.js";

const CHATTY = join(ROOT, "test", "fixtures", "services", "chatty.py");
const LINES = 20_000;

function allLogs(dir: string): string {
  return readdirSync(dir)
    .filter((name) => name.startsWith("error_log"))
    .map((name) => readUnlessRotated(join(dir, name)))
    .join("");
}

/** While the server runs, a file listed a moment ago may have been rotated away since:
 *  it then counts as empty, and the next poll finds its lines under the new name. */
function readUnlessRotated(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return "";
    throw error;
  }
}

test("--rotate-logs with --max-log-size rotates the error log and loses no line", async (t) => {
  // 20,000 lines of ~70 bytes against 50 KB files: some thirty rotations under load.
  const server = await startServer([
    app("hello.wsgi"),
    "--rotate-logs",
    "--max-log-size",
    "0.05",
    "--service-script",
    "chatty",
    CHATTY,
  ]);
  // A failure below must not leave the server running (the file would hang to its timeout).
  t.after(() => server.stop());
  await eventually(
    () => allLogs(server.serverRoot),
    (text) => text.includes("chatty done"),
    30_000,
  );
  assert.equal(await server.stop(), 0);
  const files = readdirSync(server.serverRoot).filter((name) => name.startsWith("error_log"));
  assert.ok(files.length > 10, files.join(" "));
  assert.ok(files.some((name) => /^error_log\.\d{4}-\d{2}-\d{2}-\d{2}_\d{2}_\d{2}/.test(name)));
  const numbers = [...allLogs(server.serverRoot).matchAll(/\] line (\d+)$/gm)].map((m) =>
    Number(m[1]),
  );
  assert.equal(numbers.length, LINES);
  assert.equal(new Set(numbers).size, LINES);
});
