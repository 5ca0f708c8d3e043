import { test } from "node:test";
import assert from "node:assert/strict";
import type { ErrorCode } from "../../../src/errors.js";
import { parseCommandLine } from "../../../src/options/parse.js";
import { Capture, parseArgs } from "../config/fakes.js";

function parse(argv: string[]) {
  return parseCommandLine(argv, { stdout: new Capture(), stderr: new Capture(), env: {} });
}

function assertParseError(argv: string[], code: ErrorCode): void {
  assert.throws(() => parse(argv), { code, exitCode: 2 }, argv.join(" "));
}

test("--opt value and --opt=value are the same", () => {
  const spaced = parseArgs(["start-server", "--port", "9000", "--host", "0.0.0.0"]);
  const joined = parseArgs(["start-server", "--port=9000", "--host=0.0.0.0"]);
  assert.deepEqual(joined.values, spaced.values);
  assert.equal(spaced.values.get("port"), 9000);
});

test("pair options take two words, or one inline and one after", () => {
  const args = parseArgs(["start-server", "--setenv", "A", "1", "--setenv=B", "two words"]);
  assert.deepEqual(args.values.get("setenv"), [
    ["A", "1"],
    ["B", "two words"],
  ]);
});

test("the positional SCRIPT and --entry-point are both kept", () => {
  const args = parseArgs(["setup-server", "app.wsgi", "--entry-point", "other.wsgi"]);
  assert.equal(args.command, "setup-server");
  assert.equal(args.script, "app.wsgi");
  assert.equal(args.values.get("entry-point"), "other.wsgi");
  assert.equal(parseArgs(["start-server"]).script, null);
});

test("a value may start with a dash, as optparse allows", () => {
  const args = parseArgs(["start-server", "--server-name", "-odd-", "--", "--app.wsgi"]);
  assert.equal(args.values.get("server-name"), "-odd-");
  assert.equal(args.script, "--app.wsgi");
});

test("an unambiguous abbreviation names its option, as optparse allows", () => {
  const args = parseArgs(["start-server", "--thr", "3", "--processe=2"]);
  assert.equal(args.values.get("threads"), 3);
  assert.equal(args.values.get("processes"), 2);
  assert.deepEqual(args.given, ["threads", "processes"]);
});

test("old spellings store under the option they stand for", () => {
  const args = parseArgs(["start-server", "--ssl-port", "8443", "--service-log", "s", "s.log"]);
  assert.equal(args.values.get("https-port"), 8443);
  assert.deepEqual(args.values.get("service-log-file"), [["s", "s.log"]]);
  assert.deepEqual(args.given, ["ssl-port", "service-log"]);
});

test("an alias and its option collect into one list, in command-line order", () => {
  const argv = ["start-server", "--service-log-file", "a", "a.log", "--service-log", "b", "b.log"];
  assert.deepEqual(parseArgs(argv).values.get("service-log-file"), [
    ["a", "a.log"],
    ["b", "b.log"],
  ]);
});

test("numbers: whole numbers for counts, fractions allowed for seconds", () => {
  const args = parseArgs(["start-server", "--queue-timeout", "2.5", "--threads", "+7"]);
  assert.equal(args.values.get("queue-timeout"), 2.5);
  assert.equal(args.values.get("threads"), 7);
});

test("choices match without regard to case and keep the table's spelling", () => {
  const args = parseArgs(["start-server", "--log-level", "INFO", "--map-head-to-get", "off"]);
  assert.equal(args.values.get("log-level"), "info");
  assert.equal(args.values.get("map-head-to-get"), "Off");
});

test("help is an exit, not a command to run", () => {
  assert.deepEqual(parse(["start-server", "--help"]), { kind: "exit", exitCode: 0 });
  assert.deepEqual(parse(["-h"]), { kind: "exit", exitCode: 0 });
});

const ERROR_CASES: [string, string[], ErrorCode][] = [
  ["no command", [], "WSGIX_ERR_NO_COMMAND"],
  ["an option instead of a command", ["--port", "80"], "WSGIX_ERR_NO_COMMAND"],
  ["an unknown command", ["serve"], "WSGIX_ERR_UNKNOWN_COMMAND"],
  ["help for an unknown command", ["help", "serve"], "WSGIX_ERR_UNKNOWN_COMMAND"],
  ["an unknown option", ["start-server", "--no-such-option"], "WSGIX_ERR_UNKNOWN_OPTION"],
  ["an unknown single-dash option", ["start-server", "-x"], "WSGIX_ERR_UNKNOWN_OPTION"],
  ["an ambiguous abbreviation", ["start-server", "--proc", "2"], "WSGIX_ERR_AMBIGUOUS_OPTION"],
  ["a missing value", ["start-server", "--port"], "WSGIX_ERR_MISSING_ARGUMENT"],
  ["half a pair", ["start-server", "--setenv", "KEY"], "WSGIX_ERR_MISSING_ARGUMENT"],
  ["a value for a flag", ["start-server", "--access-log=yes"], "WSGIX_ERR_UNEXPECTED_ARGUMENT"],
  ["two scripts", ["start-server", "a.wsgi", "b.wsgi"], "WSGIX_ERR_UNEXPECTED_ARGUMENT"],
  ["a non-numeric port", ["start-server", "--port", "abc"], "WSGIX_ERR_OPTION_VALUE"],
  ["a port out of range", ["start-server", "--port", "65536"], "WSGIX_ERR_OPTION_VALUE"],
  ["a negative port", ["start-server", "--port", "-1"], "WSGIX_ERR_OPTION_VALUE"],
  ["a fractional port", ["start-server", "--port", "80.5"], "WSGIX_ERR_OPTION_VALUE"],
  ["zero processes", ["start-server", "--processes", "0"], "WSGIX_ERR_OPTION_VALUE"],
  ["zero threads", ["start-server", "--threads", "0"], "WSGIX_ERR_OPTION_VALUE"],
  ["words for threads", ["start-server", "--threads", "five"], "WSGIX_ERR_OPTION_VALUE"],
  ["a negative timeout", ["start-server", "--request-timeout", "-5"], "WSGIX_ERR_OPTION_VALUE"],
  ["a timeout in words", ["start-server", "--queue-timeout", "1m"], "WSGIX_ERR_OPTION_VALUE"],
  ["an empty timeout", ["start-server", "--socket-timeout", ""], "WSGIX_ERR_OPTION_VALUE"],
  [
    "a bad application type",
    ["start-server", "--application-type", "egg"],
    "WSGIX_ERR_OPTION_VALUE",
  ],
  ["a bad log level", ["start-server", "--log-level", "verbose"], "WSGIX_ERR_OPTION_VALUE"],
  ["a fraction over 1", ["start-server", "--initial-workers", "1.5"], "WSGIX_ERR_OPTION_VALUE"],
  ["an empty path", ["start-server", "--server-root", ""], "WSGIX_ERR_OPTION_VALUE"],
];

for (const [name, argv, code] of ERROR_CASES) {
  test(`parsing refuses ${name} with ${code}`, () => {
    assertParseError(argv, code);
  });
}

test("commander writes nothing itself when it fails: the CLI reports once", () => {
  const stdout = new Capture();
  const stderr = new Capture();
  const io = { stdout, stderr, env: {} };
  assert.throws(() => parseCommandLine(["start-server", "--bogus"], io));
  assert.equal(stdout.text + stderr.text, "");
});
