import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT, app, eventually, request, runCli, startServer, tempDir } from "./harness.js";

const HANDLERS = join(ROOT, "test", "fixtures", "handlers");

interface Seen {
  handler: string;
  content: string;
  SCRIPT_NAME: string;
  PATH_INFO: string;
  SCRIPT_FILENAME: string;
  handler_script: string;
  method: string;
  body: string;
  loads: number;
}

test("--add-handler: document-root files of an extension go to the handler script", async (t) => {
  const root = tempDir("wsgi-express-handlers-");
  mkdirSync(join(root, "sub"));
  writeFileSync(join(root, "sub", "page.md"), "# hello");
  writeFileSync(join(root, "other.TXT2"), "two");
  writeFileSync(join(root, "plain.txt"), "just a file");
  const pageHandler = join(HANDLERS, "page_handler.py");
  const server = await startServer([
    app("hello.wsgi"),
    "--document-root",
    root,
    "--add-handler",
    ".md",
    pageHandler,
    "--add-handler",
    "txt2",
    join(HANDLERS, "app_handler.py"),
  ]);
  t.after(() => server.stop());

  const page = await request(`${server.url}sub/page.md`);
  assert.equal(page.status, 200, page.body.toString());
  const seen = JSON.parse(page.body.toString()) as Seen;
  assert.equal(seen.handler, "handle_request");
  assert.equal(seen.content, "# hello");
  assert.equal(seen.SCRIPT_NAME, "/sub/page.md");
  assert.equal(seen.PATH_INFO, "");
  assert.equal(seen.SCRIPT_FILENAME, join(root, "sub", "page.md"));
  assert.equal(seen.handler_script, pageHandler);

  // A path after the file is its PATH_INFO; a body reaches the handler.
  const posted = await request(`${server.url}sub/page.md/extra/part`, {
    method: "POST",
    body: "sent along",
  });
  const withPath = JSON.parse(posted.body.toString()) as Seen;
  assert.equal(withPath.SCRIPT_NAME, "/sub/page.md");
  assert.equal(withPath.PATH_INFO, "/extra/part");
  assert.equal(withPath.body, "sent along");

  // Only `application` defined; the extension matched whatever its case.
  const other = await request(`${server.url}other.TXT2`);
  assert.equal(other.body.toString(), "application for /other.TXT2");

  // Other files are still sent as they are, and the rest is the application's.
  assert.equal((await request(`${server.url}plain.txt`)).body.toString(), "just a file");
  assert.equal((await request(`${server.url}nothing-here`)).body.toString(), "Hello World!");
  assert.equal((await request(`${server.url}missing.md`)).body.toString(), "Hello World!");
});

test("--add-handler: the script is loaded again when reload_required(resource) says so", async (t) => {
  const root = tempDir("wsgi-express-handlers-");
  writeFileSync(join(root, "a.md"), "stays");
  writeFileSync(join(root, "b.md"), "reload-me");
  const server = await startServer([
    app("hello.wsgi"),
    "--document-root",
    root,
    "--add-handler",
    ".md",
    join(HANDLERS, "page_handler.py"),
    "--processes",
    "1",
    "--threads",
    "1",
  ]);
  t.after(() => server.stop());
  const loads = async (path: string): Promise<number> =>
    (JSON.parse((await request(`${server.url}${path}`)).body.toString()) as Seen).loads;
  assert.equal(await loads("a.md"), 1);
  assert.equal(await loads("a.md"), 1);
  // reload_required(".../b.md") is true: the script is loaded again for it.
  assert.equal(await loads("b.md"), 2);
  assert.equal(await loads("a.md"), 2);
  assert.equal(await loads("b.md"), 3);
});

test("--add-handler: a script that does not exist is one start-up error", async () => {
  const result = await runCli([
    "start-server",
    app("hello.wsgi"),
    "--add-handler",
    ".md",
    "/no/such/handler.py",
  ]);
  assert.equal(result.status, 2);
  assert.match(result.stderr, /--add-handler: expected an existing Python handler script/);
});

test("--add-handler: a script that fails to load is a 500 with its traceback logged; any mount point", async (t) => {
  const root = tempDir("wsgi-express-handlers-");
  writeFileSync(join(root, "x.bad"), "");
  writeFileSync(join(root, "y.md"), "under the root, outside the mount");
  const server = await startServer([
    app("hello.wsgi"),
    "--document-root",
    root,
    "--mount-point",
    "/app",
    "--add-handler",
    ".bad",
    join(HANDLERS, "broken_handler.py"),
    "--add-handler",
    ".md",
    join(HANDLERS, "page_handler.py"),
  ]);
  t.after(() => server.stop());
  assert.equal((await request(`${server.url}x.bad`)).status, 500);
  await eventually(server.errorLog, (log) =>
    /RuntimeError: this handler script is broken/.test(log),
  );
  const page = await request(`${server.url}y.md`);
  assert.equal(page.status, 200);
  assert.equal((JSON.parse(page.body.toString()) as Seen).SCRIPT_NAME, "/y.md");
  assert.equal((await request(`${server.url}app/`)).body.toString(), "Hello World!");
});
