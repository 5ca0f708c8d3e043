import { test } from "node:test";
import assert from "node:assert/strict";
import type { ProbeResult } from "../../../src/config/context.js";
import { resolveConfig } from "../../../src/config/resolve.js";
import { CWD, PYTHON_311, SCRIPT, fakeContext, fakeProbe, parseArgs } from "./fakes.js";

async function resolveWith(argv: string[]) {
  const context = fakeContext({
    probePython: fakeProbe({ ...PYTHON_311, ok: true, pasteDeploy: true } as ProbeResult),
  });
  return resolveConfig(
    parseArgs(["start-server", "--server-root", "/srv/root", ...argv], context.env),
    context,
  );
}

test("--add-handler, --with-cgi and --enable-docs resolve into the site's features", async () => {
  const { site, application } = await resolveWith([
    "app.wsgi",
    "--add-handler",
    "MD",
    "app.wsgi",
    "--add-handler",
    ".txt",
    SCRIPT,
    "--with-cgi",
    "--socket-timeout",
    "7",
    "--enable-docs",
  ]);
  assert.equal(application.type, "script");
  assert.deepEqual(site.features, {
    staticOnly: false,
    docs: true,
    handlers: [
      { extension: ".md", script: SCRIPT },
      { extension: ".txt", script: SCRIPT },
    ],
    cgi: { timeout: 7 },
  });
});

test("no SCRIPT turns the docs on, as mod_wsgi-express's default page links to them", async () => {
  const { site, application } = await resolveWith([]);
  assert.equal(application.entryPoint, null);
  assert.equal(site.features.docs, true);
});

test("--application-type static: SCRIPT, else the cwd, is the document root; no app", async () => {
  const named = await resolveWith(["--application-type", "static", "lib"]);
  assert.equal(named.application.entryPoint, null);
  assert.equal(named.site.documentRoot, `${CWD}/lib`);
  assert.equal(named.site.defaultDocumentRoot, false);
  assert.deepEqual(named.site.features, { staticOnly: true, docs: false, handlers: [], cgi: null });
  const cwd = await resolveWith(["--application-type", "static"]);
  assert.equal(cwd.site.documentRoot, CWD);
  const given = await resolveWith([
    "--application-type",
    "static",
    "lib",
    "--document-root",
    "/work/other",
  ]);
  assert.equal(given.site.documentRoot, "/work/other");
  const entry = await resolveWith(["--application-type", "static", "--entry-point", "lib"]);
  assert.equal(entry.site.documentRoot, `${CWD}/lib`);
});

test("--application-type paste takes the .ini's absolute path", async () => {
  const { application } = await resolveWith(["--application-type", "paste", "readme.txt"]);
  assert.equal(application.type, "paste");
  assert.equal(application.entryPoint, `${CWD}/readme.txt`);
});
