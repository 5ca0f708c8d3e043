import { test } from "node:test";
import assert from "node:assert/strict";
import { epochMicros, errorLogTime } from "../../../src/log/apache-time.js";
import { ErrorLog } from "../../../src/log/error-log.js";

test("error-log timestamps carry real microseconds, not milliseconds padded with zeros", () => {
  const at = new Date(2026, 10, 23, 21, 34, 2, 123).getTime() * 1000 + 456;
  assert.equal(errorLogTime(at), "Mon Nov 23 21:34:02.123456 2026");
  assert.equal(errorLogTime(at - 123_456), "Mon Nov 23 21:34:02.000000 2026");
});

test("the clock gives whole microseconds that follow the wall clock", () => {
  const seen = new Set<number>();
  for (let i = 0; i < 200; i += 1) {
    const micros = epochMicros();
    assert.ok(Number.isSafeInteger(micros));
    assert.ok(Math.abs(micros / 1000 - Date.now()) < 50, `${micros} is near Date.now()`);
    seen.add(micros % 1000);
  }
  // Sub-millisecond digits vary: they are measured, not zeros.
  assert.ok(seen.size > 1 || !seen.has(0), [...seen].join(","));
});

test("the error log writes the clock's microseconds", () => {
  const lines: string[] = [];
  const log = new ErrorLog(
    { write: (line: string) => lines.push(line) },
    "info",
    () => 1_700_000_000_654_321,
  );
  log.info("hello");
  assert.match(
    lines[0] ?? "",
    /^\[\w{3} \w{3} \d\d \d\d:\d\d:\d\d\.654321 2023\] \[wsgi:info\] \[pid \d+\] hello\n$/,
  );
});
