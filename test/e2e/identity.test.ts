import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import {
  ROOT,
  app,
  asNobody,
  canDropToNobody as canDrop,
  dirNobodyCanReach,
  eventually,
  request,
  runCli,
  startServer,
  tempDir,
} from "./harness.js";

const root = process.getuid?.() === 0;
const SERVICE = join(ROOT, "test", "fixtures", "services", "facts_service.py");

interface Facts {
  environ: Record<string, string>;
  uid: number;
  euid: number;
  pid: number;
  gid: number;
  groups: number[];
  warnoptions: string[];
}

test(
  "--user/--group: daemons and services run as that user, never as root",
  { skip: !canDrop },
  async (t) => {
    const prefix = dirNobodyCanReach();
    const server = await startServer([
      app("process_facts.wsgi"),
      ...asNobody(prefix),
      "--service-script",
      "facts",
      SERVICE,
    ]);
    t.after(() => server.stop());
    const facts = JSON.parse((await request(server.url)).body.toString()) as Facts;
    assert.equal(facts.uid, 65534);
    assert.equal(facts.euid, 65534);
    assert.equal(facts.gid, 65534);
    // Supplementary groups are nobody's own (initgroups), root's are gone.
    assert.ok(!facts.groups.includes(0), String(facts.groups));
    // The title is set while still root: /proc/self/comm of a process that changed
    // its user belongs to root.
    assert.match(readFileSync(`/proc/${String(facts.pid)}/comm`, "utf8"), /^\(wsgi:/);
    const log = await eventually(server.errorLog, (text) => /facts: \{/.test(text));
    assert.match(log, /facts: .*"uid": 65534, "gid": 65534/);
    // The daemon socket lives under --socket-prefix, not in the server root.
    assert.equal(readdirSync(prefix).length, 1);
    assert.equal(existsSync(join(server.serverRoot, "sockets")), false);
  },
);

test(
  "--service-user/--service-group: a service runs as its own user while the app runs as --user",
  { skip: !canDrop },
  async (t) => {
    const prefix = dirNobodyCanReach();
    const server = await startServer([
      app("process_facts.wsgi"),
      ...asNobody(prefix),
      "--service-script",
      "facts",
      SERVICE,
      "--service-user",
      "facts",
      "daemon",
      "--service-group",
      "facts",
      "daemon",
    ]);
    t.after(() => server.stop());
    const facts = JSON.parse((await request(server.url)).body.toString()) as Facts;
    assert.equal(facts.uid, 65534);
    const log = await eventually(server.errorLog, (text) => /facts: \{/.test(text));
    // Debian's `daemon` user and group are 1.
    assert.match(log, /facts: .*"uid": 1, "gid": 1/);
  },
);

test(
  "a working directory the --user cannot enter stops the server with an error",
  { skip: !canDrop },
  async () => {
    const home = tempDir(); // mode 0700, owned by root: nobody cannot enter it
    const result = await runCli([
      "start-server",
      app("hello.wsgi"),
      "--port",
      "0",
      "--server-root",
      tempDir(),
      ...asNobody(),
      "--working-directory",
      home,
    ]);
    assert.equal(result.status, 1);
    assert.match(result.stderr + result.stdout, /--working-directory/);
  },
);

test("a --user that does not exist stops start-up with an error", { skip: !root }, async () => {
  const result = await runCli([
    "start-server",
    app("hello.wsgi"),
    "--port",
    "0",
    "--server-root",
    tempDir(),
    "--user",
    "no-such-user-here",
  ]);
  assert.equal(result.status, 1);
  assert.match(result.stderr, /no such user: 'no-such-user-here'/);
  assert.doesNotMatch(result.stdout, /Server URL/);
});

test("--locale, --python-eggs and --python-warnings reach the daemon processes", async (t) => {
  const eggs = tempDir();
  const server = await startServer([
    app("process_facts.wsgi"),
    "--locale",
    "C.UTF-8",
    "--python-eggs",
    eggs,
    "--python-warnings",
    "ignore::DeprecationWarning",
    "--python-warnings",
    "error::ResourceWarning",
  ]);
  t.after(() => server.stop());
  const facts = JSON.parse((await request(server.url)).body.toString()) as Facts;
  assert.equal(facts.environ["LANG"], "C.UTF-8");
  assert.equal(facts.environ["LC_ALL"], "C.UTF-8");
  assert.equal(facts.environ["PYTHON_EGG_CACHE"], eggs);
  assert.deepEqual(facts.warnoptions, ["ignore::DeprecationWarning", "error::ResourceWarning"]);
});

test("--lang is the old name of --locale; a C locale becomes C.UTF-8", async (t) => {
  const env = { ...process.env, LANG: "C", LC_ALL: "" };
  const server = await startServer([app("process_facts.wsgi"), "--lang", "C.UTF-8"], { env });
  t.after(() => server.stop());
  const facts = JSON.parse((await request(server.url)).body.toString()) as Facts;
  assert.equal(facts.environ["LC_ALL"], "C.UTF-8");
  const plain = await startServer([app("process_facts.wsgi")], { env });
  t.after(() => plain.stop());
  const inherited = JSON.parse((await request(plain.url)).body.toString()) as Facts;
  assert.equal(inherited.environ["LANG"], "C.UTF-8");
});

test(
  "--process-name sets the server's process title",
  { skip: process.platform !== "linux" },
  async (t) => {
    const server = await startServer([app("hello.wsgi"), "--process-name", "wx-title-test"]);
    t.after(() => server.stop());
    const { readFileSync } = await import("node:fs");
    const cmdline = readFileSync(`/proc/${String(server.child.pid)}/cmdline`, "utf8");
    assert.match(cmdline, /^wx-title-test/);
  },
);
