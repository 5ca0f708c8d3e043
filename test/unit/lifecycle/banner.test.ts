import { test } from "node:test";
import assert from "node:assert/strict";
import { resolveConfig } from "../../../src/config/resolve.js";
import { formatBanner, type BannerFacts } from "../../../src/lifecycle/banner.js";
import { setupBanner } from "../../../src/setup/setup-banner.js";
import { fakeContext, parseArgs } from "../config/fakes.js";

const FACTS: BannerFacts = {
  port: 8000,
  // Not root: the warnings about root have tests of their own (root-warning.test.ts).
  uid: 1000,
  errorLog: "/srv/root/error_log",
  accessLog: null,
  app: { loaded: true, error: null },
  python: null,
};

async function banner(argv: string[], facts: Partial<BannerFacts> = {}): Promise<string> {
  const config = await resolveConfig(
    parseArgs(["start-server", "app.wsgi", ...argv]),
    fakeContext(),
  );
  return formatBanner(config, { ...FACTS, ...facts });
}

/** The banner's labels, in order. */
const labels = (text: string): string[] =>
  text
    .split("\n")
    .filter(Boolean)
    .map((line) => line.slice(0, 19).trim());

test("the default banner has mod_wsgi-express's lines in its order, then ours", async () => {
  assert.deepEqual(labels(await banner([])), [
    "Server URL",
    "Server Root",
    "Error Log File",
    "Operating Mode",
    "Request Capacity",
    "Request Timeout",
    "Startup Timeout",
    "Queue Backlog",
    "Queue Timeout",
    "Server Capacity",
    "Server Backlog",
    "Locale Setting",
    "Python Executable",
    "Python Version",
    "Python Prefix",
    "Application",
  ]);
});

test("each optional line shows when its feature is on", async () => {
  const text = await banner(
    [
      ...["--startup-log", "--enable-profiler", "--enable-recorder", "--enable-coverage"],
      ...["--envvars-script", "/srv/envvars.sh", "--locale", "de_DE.UTF-8"],
    ],
    { accessLog: "/srv/root/access_log" },
  );
  assert.match(text, /^Access Log File {4}: \/srv\/root\/access_log$/m);
  assert.match(text, /^Startup Log File {3}: \S+\/startup_log$/m);
  assert.match(text, /^Coverage Output {4}: \S+\/index\.html$/m);
  assert.match(text, /^Profiler Output {4}: \S+$/m);
  assert.match(text, /^Recorder Output {4}: \S+$/m);
  assert.match(text, /^Environ Variables {2}: \/srv\/envvars\.sh$/m);
  assert.match(text, /^Locale Setting {5}: de_DE\.UTF-8$/m);
  assert.deepEqual(labels(text).slice(0, 10), [
    "Server URL",
    "Server Root",
    "Error Log File",
    "Access Log File",
    "Startup Log File",
    "Coverage Output",
    "Profiler Output",
    "Recorder Output",
    "Environ Variables",
    "Operating Mode",
  ]);
});

test("capacity, backlog and queue lines; plurals follow the counts", async () => {
  const one = await banner(["--processes", "1", "--threads", "1"]);
  assert.match(one, /^Request Capacity {3}: 1 \(1 process \* 1 thread\)$/m);
  const many = await banner(["--processes", "2", "--threads", "5", "--max-clients", "40"]);
  assert.match(many, /^Request Capacity {3}: 10 \(2 processes \* 5 threads\)$/m);
  assert.match(many, /^Queue Backlog {6}: 30 \(requests\)$/m);
  assert.match(many, /^Server Capacity {4}: 40 \(requests in progress\)$/m);
  assert.match(many, /^Server Backlog {5}: 500 \(connections\)$/m);
});

test("debug mode leaves out the daemon timeouts, as mod_wsgi-express does", async () => {
  const text = await banner(["--debug-mode"]);
  assert.match(text, /^Operating Mode {5}: debug$/m);
  for (const label of [
    "Request Timeout",
    "Startup Timeout",
    "Queue Backlog",
    "Queue Timeout",
    "Server Capacity",
  ]) {
    assert.equal(labels(text).includes(label), false, label);
  }
  assert.match(text, /^Server Backlog/m);
});

test("a timeout of 0 is shown only where mod_wsgi-express shows it", async () => {
  const set = await banner(["--interrupt-timeout", "7"]);
  assert.match(set, /^Interrupt Timeout {2}: 7 \(seconds\)$/m);
  const text = await banner(["--startup-timeout", "0", "--interrupt-timeout", "0"]);
  assert.equal(labels(text).includes("Startup Timeout"), false);
  assert.equal(labels(text).includes("Interrupt Timeout"), false);
  assert.match(text, /^Request Timeout/m);
});

test("the URL names --server-name, which the host checks accept, and omits port 80", async () => {
  assert.match(
    await banner(["--server-name", "www.example.com"], { port: 8123 }),
    /^Server URL {9}: http:\/\/www\.example\.com:8123\/$/m,
  );
  assert.match(
    await banner(["--host", "127.0.0.1"], { port: 80 }),
    /^Server URL {9}: http:\/\/127\.0\.0\.1\/$/m,
  );
  assert.match(await banner([]), /^Server URL {9}: http:\/\/localhost:8000\/$/m);
});

test("setup-server adds the envvars file and the control script before the mode", async () => {
  const config = await resolveConfig(parseArgs(["setup-server", "app.wsgi"]), fakeContext());
  const names = labels(setupBanner(config));
  const mode = names.indexOf("Operating Mode");
  assert.deepEqual(names.slice(mode - 2, mode), ["Environ Variables", "Control Script"]);
});
