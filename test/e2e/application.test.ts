import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { APPS, request, startServer, tempDir } from "./harness.js";

test("--application-type module imports the entry point from --python-path", async (t) => {
  const server = await startServer([
    "--application-type",
    "module",
    "--entry-point",
    "module_app.wsgi",
    "--python-path",
    APPS,
  ]);
  t.after(() => server.stop());
  const reply = await request(server.url);
  assert.equal(reply.status, 200);
});

test("--working-directory is the daemons' cwd and first sys.path entry; --callable-object", async (t) => {
  const dir = tempDir();
  mkdirSync(join(dir, "helpers"));
  writeFileSync(join(dir, "helpers", "__init__.py"), "GREETING = b'from the working directory'\n");
  writeFileSync(
    join(dir, "site.wsgi"),
    [
      "import os, sys",
      "import helpers",
      "def app(environ, start_response):",
      "    body = b'|'.join([helpers.GREETING, os.getcwd().encode(), sys.path[0].encode()])",
      "    start_response('200 OK', [('Content-Type', 'text/plain')])",
      "    return [body]",
      "",
    ].join("\n"),
  );
  const server = await startServer(
    [join(dir, "site.wsgi"), "--working-directory", dir, "--callable-object", "app"],
    { cwd: "/" },
  );
  t.after(() => server.stop());
  const [greeting, cwd, first] = (await request(server.url)).body.toString().split("|");
  assert.equal(greeting, "from the working directory");
  assert.equal(cwd, dir);
  assert.equal(first, dir);
});

test("no script: the built-in default page is served", async (t) => {
  const server = await startServer([]);
  t.after(() => server.stop());
  const reply = await request(server.url);
  assert.equal(reply.status, 200);
  assert.match(String(reply.headers["content-type"]), /text\/html/);
});
