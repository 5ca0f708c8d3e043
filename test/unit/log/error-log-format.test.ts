import { test } from "node:test";
import assert from "node:assert/strict";
import { parseErrorLogFormat } from "../../../src/config/error-log-format.js";
import { isWsgiExpressError } from "../../../src/errors.js";
import type { LogLevel } from "../../../src/log-levels.js";
import { ErrorLog } from "../../../src/log/error-log.js";
import { renderErrorLogLine } from "../../../src/log/error-log-format.js";

// 2023-11-14 22:13:20.654321 UTC, shown in local time: build the expectation the same way.
const MICROS = 1_700_000_000_654_321;
const at = new Date(MICROS / 1000);
const pad = (n: number): string => String(n).padStart(2, "0");
const CLOCK = `${pad(at.getHours())}:${pad(at.getMinutes())}:${pad(at.getSeconds())}`;
const DAY = `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}`;

const render = (format: string, message = "hello", level: LogLevel = "error"): string | null =>
  renderErrorLogLine(parseErrorLogFormat(format), { micros: MICROS, level, pid: 42, message });

test("the server-side directives: time in four shapes, level, module, pid, message, %%", () => {
  assert.equal(render("%{cu}t|%{c}t"), `${DAY} ${CLOCK}.654321|${DAY} ${CLOCK}`);
  assert.match(render("%t") ?? "", new RegExp(`^\\w{3} \\w{3} \\d\\d ${CLOCK} 2023$`));
  assert.match(render("%{u}t") ?? "", new RegExp(`^\\w{3} \\w{3} \\d\\d ${CLOCK}\\.654321 2023$`));
  assert.equal(render("[%m:%l] [pid %P] 100%% %M"), "[wsgi:error] [pid 42] 100% hello");
});

test("an empty item drops its field; '-' writes a hyphen; '+' drops the line", () => {
  // Apache's documented example: [client\ %a] and ', referer %{Referer}i' vanish
  // outside a request.
  assert.equal(render("%l [client\\ %a] %M% ,\\ referer\\ %{Referer}i"), "error  hello");
  assert.equal(render("%l [client\\ %-a] %M"), "error [client -] hello");
  assert.equal(render("%l %+{Referer}i %M"), null);
  assert.equal(render("[%T]%l"), "");
  assert.equal(render("%l% %M"), "errorhello");
});

test("a digit shows an item only at that verbosity or more (7: debug)", () => {
  assert.equal(render("%7l:%M", "x", "error"), "");
  assert.equal(render("%7l: %M", "x", "debug"), "debug: x");
  assert.equal(render("%3l: %M", "x", "error"), "error: x");
});

test("unknown directives and bad arguments get one clear error naming them", () => {
  const cases: [string, RegExp][] = [
    ["%Q", /unknown directive '%Q'/],
    ["[%t] %-Z", /unknown directive '%-Z'/],
    ["%{x}t", /'%\{x\}t' does not take \{x\}/],
    ["%i", /'%i' needs a \{name\}/],
    ["%{Referer", /unclosed '\{'/],
    ["tail %", /unknown directive '%'/],
  ];
  for (const [format, message] of cases) {
    assert.throws(
      () => parseErrorLogFormat(format),
      (error: unknown) =>
        isWsgiExpressError(error) &&
        error.code === "WSGIX_ERR_OPTION_VALUE" &&
        error.message.startsWith("--error-log-format: ") &&
        message.test(error.message),
      format,
    );
  }
});

test("the error log writes every line of a message, and daemon output, through the format", () => {
  const lines: string[] = [];
  const format = parseErrorLogFormat("%l|%P|%M");
  const log = new ErrorLog(
    { write: (text: string) => lines.push(text) },
    "info",
    () => MICROS,
    format,
  );
  log.info("one\ntwo\n");
  log.log("debug", "hidden");
  log.daemonOutput(7, "printed");
  assert.deepEqual(lines, [
    `info|${process.pid}|one\ninfo|${process.pid}|two\n`,
    "error|7|printed\n",
  ]);
  const dropped = new ErrorLog(
    { write: (text: string) => lines.push(text) },
    "info",
    () => MICROS,
    parseErrorLogFormat("%+a %M"),
  );
  dropped.error("gone");
  assert.equal(lines.length, 2);
});
