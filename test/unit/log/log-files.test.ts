import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { test } from "node:test";
import { guardWrites } from "../../../src/log/log-files.js";

test("a log stream's failure is reported once and later lines are dropped", async () => {
  let attempts = 0;
  const failing = new Writable({
    write(_chunk, _encoding, callback) {
      attempts += 1;
      callback(Object.assign(new Error("no space left on device"), { code: "ENOSPC" }));
    },
  });
  const reports: string[] = [];
  const sink = guardWrites(failing, "error log /var/log/error_log", {
    write: (line: string) => reports.push(line),
  });
  sink.write("one\n");
  await new Promise((resolve) => setImmediate(resolve));
  sink.write("two\n");
  sink.write("three\n");
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(attempts, 1);
  assert.deepEqual(reports, [
    "wsgi-express: error log /var/log/error_log: write failed: ENOSPC; further log lines are dropped\n",
  ]);
});
