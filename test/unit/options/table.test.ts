import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { invokedAs } from "../../../src/cli/main.js";
import { OPTION_GROUPS } from "../../../src/options/groups.js";
import { optionTableMarkdown } from "../../../src/options/markdown.js";
import { ROOT } from "../../e2e/harness.js";
import { parseCommandLine } from "../../../src/options/parse.js";
import { arity, destination, type OptionSpec } from "../../../src/options/spec.js";
import { OPTIONS, findOption } from "../../../src/options/table.js";
import { Capture, parseArgs } from "../config/fakes.js";

/** Options that are ours, not mod_wsgi-express's. */
const OURS = [
  "python-executable",
  "service-log",
  "memory-limit",
  "virtual-memory-limit",
  "body-spool-size",
  "response-spool-size",
  "response-memory-size",
  "limit-request-line",
  "limit-request-fields",
  "limit-request-field-size",
  "trace-enable",
  "liveness-path",
  "readiness-path",
  "shutdown-delay",
  // Apache's SSLUseStapling (http/ocsp.ts).
  "ssl-use-stapling",
];

/** Exactly the options the brief marks as implemented. */
const IMPLEMENTED = [
  "https-port",
  "ssl-port",
  "ssl-certificate-file",
  "ssl-certificate-key-file",
  "ssl-certificate",
  "ssl-ca-certificate-file",
  "ssl-verify-client",
  "ssl-certificate-chain-file",
  "ssl-environment",
  "https-only",
  "hsts-policy",
  "ssl-use-stapling",
  "liveness-path",
  "readiness-path",
  "shutdown-delay",
  "http2",
  "application-type",
  "entry-point",
  "callable-object",
  "host",
  "port",
  "processes",
  "threads",
  "working-directory",
  "python-path",
  "server-root",
  "server-status",
  "host-access-script",
  "auth-user-script",
  "auth-type",
  "auth-group-script",
  "auth-group",
  "enable-telemetry",
  "telemetry-service",
  "telemetry-ui-port",
  "telemetry-interval",
  "slow-requests",
  "telemetry-options",
  "mount-point",
  "setenv",
  "passenv",
  "log-directory",
  "log-to-terminal",
  "access-log",
  "access-log-format",
  "log-level",
  "keep-alive-timeout",
  "limit-request-body",
  "limit-request-line",
  "limit-request-fields",
  "limit-request-field-size",
  "trace-enable",
  "chunked-request",
  "header-buffer-size",
  "header-timeout",
  "header-max-timeout",
  "header-min-rate",
  "body-timeout",
  "body-max-timeout",
  "body-min-rate",
  "max-clients",
  "response-buffer-size",
  "response-socket-timeout",
  "trust-proxy-header",
  "trust-proxy",
  "proxy-mount-point",
  "proxy-url-alias",
  "proxy-virtual-host",
  "proxy-timeout",
  "queue-timeout",
  "socket-timeout",
  "connect-timeout",
  "startup-timeout",
  "shutdown-timeout",
  "request-timeout",
  "maximum-requests",
  "server-name",
  "server-alias",
  "process-group",
  "server-backlog",
  "error-log-name",
  "access-log-name",
  "setup-only",
  "user",
  "group",
  "envvars-script",
  "lang",
  "locale",
  "pid-file",
  "startup-log",
  "startup-log-name",
  "rotate-logs",
  "max-log-size",
  "python-eggs",
  "python-warnings",
  "process-name",
  "socket-prefix",
  "service-script",
  "service-user",
  "service-group",
  "service-log-file",
  "service-log",
  "allow-localhost",
  "map-head-to-get",
  "document-root",
  "embedded-mode",
  "directory-index",
  "directory-listing",
  "url-alias",
  "error-document",
  "error-override",
  "compress-responses",
  "mime-types",
  "python-executable",
  "restart-interval",
  "cpu-time-limit",
  "graceful-timeout",
  "eviction-timeout",
  "deadlock-timeout",
  "inactivity-timeout",
  "ignore-activity",
  "interrupt-timeout",
  "disable-reloading",
  "reload-on-changes",
  "enable-sendfile",
  "server-metrics",
  "send-buffer-size",
  "receive-buffer-size",
  "memory-limit",
  "virtual-memory-limit",
  "body-spool-size",
  "response-spool-size",
  "response-memory-size",
  "debug-mode",
  "enable-debugger",
  "debugger-startup",
  "enable-coverage",
  "coverage-directory",
  "enable-profiler",
  "profiler-directory",
  "enable-recorder",
  "recorder-directory",
  "enable-gdb",
  "gdb-executable",
  // Issue #22: the document root's handlers, CGI, the docs, the error log's format.
  "error-log-format",
  "add-handler",
  "with-cgi",
  "enable-docs",
  // Issue #22: the interpreter and daemon options.
  "switch-interval",
  "orphan-interpreter",
  "free-threading",
  "daemon-backlog",
  "response-flush-delay",
  "application-group",
];

test("the table has all 152 mod_wsgi-express options plus ours, each once", () => {
  const names = OPTIONS.map((spec) => spec.name);
  assert.equal(new Set(names).size, names.length);
  assert.equal(names.filter((name) => !OURS.includes(name)).length, 152);
  for (const name of OURS) assert.ok(findOption(name), name);
});

test("exactly the implemented options are marked yes", () => {
  const yes = OPTIONS.filter((spec) => spec.support === "yes").map((spec) => spec.name);
  assert.deepEqual(yes.sort(), [...IMPLEMENTED].sort());
});

test("every row is consistent: metavars, choices, defaults, aliases", () => {
  for (const spec of OPTIONS) {
    assert.match(spec.name, /^[a-z][a-z0-9-]*$/, spec.name);
    assert.equal(spec.metavar.length, arity(spec.kind), spec.name);
    assert.ok(spec.help.length > 0, spec.name);
    if (spec.kind === "choice") {
      assert.ok(spec.choices && spec.choices.length > 1, spec.name);
      if (spec.default !== undefined) assert.ok(spec.choices.includes(String(spec.default)));
    }
    if (spec.aliasOf !== undefined) {
      assert.equal(findOption(spec.aliasOf)?.kind, spec.kind, spec.name);
      assert.equal(spec.hidden, true, `${spec.name} is an old spelling`);
    }
  }
});

/** A command line that gives the option a valid value of its kind. */
function argvFor(spec: OptionSpec): string[] {
  const flag = `--${spec.name}`;
  switch (spec.kind) {
    case "flag":
      return [flag];
    case "integer":
    case "number":
      return [flag, String(spec.range?.max ?? (spec.range?.min ?? 0) + 1)];
    case "choice":
      return [flag, spec.choices?.[0] ?? ""];
    case "pair":
    case "repeatable-pair":
      return [flag, "first", "second", flag, "third", "fourth"];
    case "repeatable":
      return [flag, "one", flag, "two"];
    default:
      return [flag, "value"];
  }
}

test("every option in the table parses", () => {
  for (const spec of OPTIONS) {
    const args = parseArgs(["start-server", ...argvFor(spec)]);
    assert.deepEqual(args.given, [spec.name], spec.name);
    const value = args.values.get(destination(spec));
    assert.notEqual(value, undefined, spec.name);
    if (spec.kind === "repeatable") assert.deepEqual(value, ["one", "two"]);
    if (spec.kind === "repeatable-pair") {
      assert.deepEqual(value, [
        ["first", "second"],
        ["third", "fourth"],
      ]);
    }
  }
});

function helpText(argv: string[]): string {
  const stdout = new Capture();
  const outcome = parseCommandLine(argv, { stdout, stderr: new Capture(), env: {} });
  assert.deepEqual(outcome, { kind: "exit", exitCode: 0 });
  // Descriptions wrap; compare with runs of white space made single spaces.
  return stdout.text.replace(/\s+/g, " ");
}

test("--help lists every option that is not hidden, with its default", () => {
  const help = helpText(["start-server", "--help"]);
  for (const spec of OPTIONS) {
    const term = [`--${spec.name}`, ...spec.metavar].join(" ");
    assert.equal(help.includes(` ${term} `), spec.hidden !== true, term);
    const shown =
      spec.defaultText ?? (typeof spec.default === "boolean" ? undefined : spec.default);
    if (spec.hidden !== true && shown !== undefined && !Array.isArray(shown)) {
      assert.ok(help.includes(`(default: ${String(shown)})`), `${term} shows its default`);
    }
  }
});

test("`help start-server` and `setup-server --help` show the same options", () => {
  const help = helpText(["start-server", "--help"]);
  assert.equal(helpText(["help", "start-server"]), help);
  const setup = helpText(["setup-server", "--help"]);
  assert.equal(setup.slice(setup.indexOf("Options:")), help.slice(help.indexOf("Options:")));
});

test("help exits 0 whatever process.exitCode already holds", (t) => {
  const saved = process.exitCode;
  t.after(() => {
    process.exitCode = saved;
  });
  process.exitCode = 1;
  helpText(["help", "start-server"]);
  helpText(["start-server", "--help"]);
});

test("the program's --help lists both commands", () => {
  const help = helpText(["--help"]);
  assert.match(help, /start-server/);
  assert.match(help, /setup-server/);
});

test("the docs' option list has one row per option, hidden ones marked", () => {
  const rows = optionTableMarkdown().trimEnd().split("\n").slice(2);
  assert.equal(rows.length, OPTIONS.length);
  for (const [index, spec] of OPTIONS.entries()) {
    const line = rows[index] ?? "";
    assert.ok(line.startsWith(`| \`--${spec.name}\``), spec.name);
    assert.equal(line.includes("(hidden)"), spec.hidden === true, spec.name);
  }
});

/** `--help` split into its sections: heading -> the option names under it. */
function helpSections(argv: string[]): Map<string, string[]> {
  const stdout = new Capture();
  parseCommandLine(argv, { stdout, stderr: new Capture(), env: {} });
  const sections = new Map<string, string[]>();
  let current: string[] = [];
  for (const line of stdout.text.split("\n")) {
    const heading = /^(\S.*):$/.exec(line);
    if (heading?.[1] !== undefined) sections.set(heading[1], (current = []));
    const option = /^ {2}(?:-h, )?(--[a-z0-9-]+)/.exec(line);
    if (option?.[1] !== undefined) current.push(option[1]);
  }
  return sections;
}

test("--help lists the options under the table's group headings, in the groups' order", () => {
  const sections = helpSections(["start-server", "--help"]);
  const headings = [...sections.keys()].filter((name) => !["Usage", "Arguments"].includes(name));
  assert.deepEqual(headings, ["Options", ...Object.values(OPTION_GROUPS)]);
  for (const spec of OPTIONS.filter((row) => row.hidden !== true)) {
    const listed = sections.get(OPTION_GROUPS[spec.group]) ?? [];
    assert.ok(listed.includes(`--${spec.name}`), `--${spec.name} under ${spec.group}`);
  }
  assert.deepEqual(sections.get("Options"), ["--version", "--help"]);
});

test("--help marks each Apache-only option and each one not built yet", () => {
  const help = helpText(["start-server", "--help"]);
  for (const spec of OPTIONS.filter((row) => row.hidden !== true)) {
    const term = [`--${spec.name}`, ...spec.metavar].join(" ");
    const after = help.slice(help.indexOf(` ${term} `) + term.length + 2);
    const mark = {
      yes: /^(?!\[)/,
      apache: /^\[Apache only; ignored\]/,
    };
    assert.match(after, mark[spec.support], term);
  }
});

test("--version prints the package's version, at the top and after a command", () => {
  const manifest = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
    version: string;
  };
  for (const argv of [
    ["--version"],
    ["start-server", "--version"],
    ["setup-server", "--version"],
  ]) {
    const stdout = new Capture();
    const outcome = parseCommandLine(argv, { stdout, stderr: new Capture(), env: {} });
    assert.deepEqual(outcome, { kind: "exit", exitCode: 0 });
    assert.equal(stdout.text, `${manifest.version}\n`);
  }
});

test("usage names the program as it was invoked", () => {
  const stdout = new Capture();
  const io = { stdout, stderr: new Capture(), env: {}, programName: "mod_wsgi-express" };
  parseCommandLine(["start-server", "--help"], io);
  assert.match(stdout.text, /^Usage: mod_wsgi-express start-server \[SCRIPT\] \[options\]$/m);
  assert.equal(invokedAs("/usr/local/bin/mod_wsgi-express"), "mod_wsgi-express");
  assert.equal(invokedAs("/repo/node_modules/.bin/wsgi-express"), "wsgi-express");
  assert.equal(invokedAs("/repo/bin/wsgi-express.js"), "wsgi-express");
});
