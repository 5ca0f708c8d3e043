import { test } from "node:test";
import assert from "node:assert/strict";
import { cpSync, mkdirSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT, SYSTEM_PYTHON, request, runCli, startServer, tempDir } from "./harness.js";
import { pastePython } from "./paste-python.js";

const PASTE = join(ROOT, "test", "fixtures", "paste");

test("no SCRIPT: the 'My web site' page, and the docs it links to (--enable-docs forced)", async (t) => {
  const server = await startServer([]);
  t.after(() => server.stop());
  const page = await request(server.url);
  assert.equal(page.status, 200);
  assert.match(page.body.toString(), /<title>My web site runs on Malt Whiskey<\/title>/);
  assert.match(page.body.toString(), /href="\/__wsgi__\/docs\/"/);
  const index = await request(`${server.url}__wsgi__/docs/`);
  assert.equal(index.status, 200);
  assert.match(String(index.headers["content-type"]), /^text\/html/);
  assert.match(index.body.toString(), /<a href="options\.md">options<\/a>/);
});

test("--enable-docs serves the docs pages at /__wsgi__/docs; without it they are the app's", async (t) => {
  const docs = await startServer([
    join(ROOT, "test", "fixtures", "apps", "hello.wsgi"),
    "--enable-docs",
  ]);
  t.after(() => docs.stop());
  const page = await request(`${docs.url}__wsgi__/docs/options.md`);
  assert.equal(page.status, 200);
  assert.match(String(page.headers["content-type"]), /^text\/plain; charset=utf-8/);
  assert.match(page.body.toString(), /--enable-docs/);
  assert.equal((await request(`${docs.url}__wsgi__/docs`)).headers.location, "/__wsgi__/docs/");
  assert.equal((await request(`${docs.url}__wsgi__/docs/nope.md`)).status, 404);
  const posted = await request(`${docs.url}__wsgi__/docs/`, { method: "POST", body: "x" });
  assert.equal(posted.status, 405);
  const head = await request(`${docs.url}__wsgi__/docs/options.md`, { method: "HEAD" });
  assert.equal(head.status, 200);
  assert.equal(head.body.length, 0);
  // Dot segments are resolved first (http/intake): never a file outside docs/.
  const dotted = await request(`${docs.url}__wsgi__/docs/../package.json`);
  assert.equal(dotted.body.toString(), "Hello World!");
  const encoded = await request(`${docs.url}__wsgi__/docs/%2e%2e/package.json`);
  assert.equal(encoded.body.toString(), "Hello World!");
  assert.equal((await request(`${docs.url}elsewhere`)).body.toString(), "Hello World!");

  const plain = await startServer([join(ROOT, "test", "fixtures", "apps", "hello.wsgi")]);
  t.after(() => plain.stop());
  const app = await request(`${plain.url}__wsgi__/docs/options.md`);
  assert.equal(app.body.toString(), "Hello World!");
});

test("--application-type static: SCRIPT is the document root, and there is no app", async (t) => {
  const root = tempDir("wsgi-express-static-only-");
  writeFileSync(join(root, "index.html"), "<p>home</p>");
  mkdirSync(join(root, "css"));
  writeFileSync(join(root, "css", "site.css"), "body {}");
  const server = await startServer([
    root,
    "--application-type",
    "static",
    "--directory-index",
    "index.html",
  ]);
  t.after(() => server.stop());
  assert.equal((await request(server.url)).body.toString(), "<p>home</p>");
  assert.equal((await request(`${server.url}css/site.css`)).body.toString(), "body {}");
  const missing = await request(`${server.url}no/such/page`);
  assert.equal(missing.status, 404);
  assert.equal((await request(`${server.url}__wsgi__/docs/`)).status, 404);
  assert.match(server.banner(), /^Application\s*: \(static\)/m);
});

test("--application-type static without SCRIPT serves the current directory", async (t) => {
  const root = tempDir("wsgi-express-static-cwd-");
  writeFileSync(join(root, "here.txt"), "from the cwd");
  const server = await startServer(["--application-type", "static"], { cwd: root });
  t.after(() => server.stop());
  assert.equal((await request(`${server.url}here.txt`)).body.toString(), "from the cwd");
});

test("--application-type paste loads the .ini with paste.deploy, and again when edited", async (t) => {
  const python = pastePython();
  const dir = tempDir("wsgi-express-paste-");
  cpSync(PASTE, dir, { recursive: true });
  const ini = join(dir, "app.ini");
  const server = await startServer([
    ini,
    "--application-type",
    "paste",
    "--python-executable",
    python,
    "--working-directory",
    dir,
  ]);
  t.after(() => server.stop());
  const reply = await request(`${server.url}some/path`);
  assert.equal(reply.status, 200, reply.body.toString());
  assert.equal(reply.body.toString(), `hello from paste (here=${dir}) /some/path`);
  // An edited .ini is loaded again, as mod_wsgi-express's reload_required() has it.
  writeFileSync(ini, readFileSync(ini, "utf8").replace("hello from paste", "edited"));
  const later = Date.now() / 1000 + 5;
  utimesSync(ini, later, later);
  let text = "";
  for (let tries = 0; tries < 80 && !text.startsWith("edited "); tries += 1) {
    text = (await request(`${server.url}x`)).body.toString();
    if (!text.startsWith("edited ")) await new Promise((resolve) => setTimeout(resolve, 250));
  }
  assert.equal(text, `edited (here=${dir}) /x`);
});

test("--application-type paste without PasteDeploy is one start-up error naming it", async () => {
  const result = await runCli([
    "start-server",
    join(PASTE, "app.ini"),
    "--application-type",
    "paste",
    "--python-executable",
    SYSTEM_PYTHON,
  ]);
  assert.equal(result.status, 2, result.stderr);
  assert.equal(result.stderr.trim().split("\n").length, 1, result.stderr);
  assert.match(result.stderr, /PasteDeploy .*pip install PasteDeploy/);
});
