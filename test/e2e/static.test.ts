import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { app, eventually, rawExchange, request, startServer, tempDir } from "./harness.js";

/** A document root, two alias directories and a file outside them all, with awkward names. */
function makeSite(): Record<string, string> {
  const base = tempDir("wsgi-express-static-");
  const dirs = {
    base,
    root: join(base, "htdocs"),
    assets: join(base, "assets"),
    deep: join(base, "deep"),
    errors: join(base, "errors"),
  };
  for (const dir of Object.values(dirs)) mkdirSync(dir, { recursive: true });
  const { root, assets, deep, errors } = dirs;
  writeFileSync(join(root, "file.txt"), "0123456789");
  writeFileSync(join(root, "sp ace & ü%.txt"), "awkward");
  writeFileSync(join(root, "index.html"), "<p>root index</p>");
  writeFileSync(join(root, ".secret"), "dotfile");
  writeFileSync(join(root, "page.wsgix"), "custom type");
  writeFileSync(join(root, "style.css"), "body { color: red; }\n".repeat(50));
  mkdirSync(join(root, "sub"));
  writeFileSync(join(root, "sub", "index.html"), "<p>sub index</p>");
  mkdirSync(join(root, "empty"));
  writeFileSync(join(base, "outside.txt"), "outside the root");
  symlinkSync(join(base, "outside.txt"), join(root, "link-out.txt"));
  symlinkSync(join(root, "file.txt"), join(root, "link-in.txt"));
  writeFileSync(join(assets, "app.css"), "h1 {}");
  writeFileSync(join(assets, ".hidden"), "hidden");
  writeFileSync(join(deep, "y.txt"), "from deep");
  writeFileSync(join(base, "favicon.ico"), "icon");
  writeFileSync(join(errors, "404.html"), "<p>custom not found</p>");
  writeFileSync(join(base, "mime.types"), "# comment\napplication/x-wsgix\twsgix wsgiy\n");
  return dirs;
}

test("document root, URL aliases, index, conditional and range requests, traversal guards", async (t) => {
  const site = makeSite();
  const server = await startServer([
    app("status.wsgi"),
    "--document-root",
    site.root as string,
    "--url-alias",
    "/static",
    site.assets as string,
    "--url-alias",
    "/static/deep/",
    site.deep as string,
    "--url-alias",
    "/favicon.ico",
    join(site.base as string, "favicon.ico"),
    "--url-alias",
    "/errors",
    site.errors as string,
    "--directory-index",
    "index.html",
    "--error-document",
    "404",
    "/errors/404.html",
    "--mime-types",
    join(site.base as string, "mime.types"),
  ]);
  t.after(() => server.stop());
  const get = (path: string, headers: Record<string, string> = {}) =>
    request(server.url.replace(/\/$/, "") + path, { headers });

  // An existing file is served by the front end, with validators.
  const file = await get("/file.txt");
  assert.equal(file.status, 200);
  assert.equal(file.body.toString(), "0123456789");
  assert.match(String(file.headers["content-type"]), /^text\/plain/);
  assert.equal(file.headers["accept-ranges"], "bytes");
  const etag = String(file.headers.etag);
  const modified = String(file.headers["last-modified"]);
  assert.equal((await get("/file.txt", { "If-None-Match": etag })).status, 304);
  assert.equal((await get("/file.txt", { "If-Modified-Since": modified })).status, 304);
  const range = await get("/file.txt", { Range: "bytes=2-5" });
  assert.equal(range.status, 206);
  assert.equal(range.body.toString(), "2345");
  assert.equal(range.headers["content-range"], "bytes 2-5/10");
  assert.equal((await get("/file.txt", { Range: "bytes=50-60" })).status, 416);

  // Anything else falls back to the app, which saw HEAD as HEAD (Auto without compression).
  const fallback = await get("/no/such/file");
  assert.match(fallback.body.toString(), /^app body 200 GET/);
  const head = await request(server.url + "nothing", { method: "HEAD" });
  assert.equal(head.headers["x-method"], "HEAD");

  // Awkward names, the --mime-types file, in-root symlinks.
  assert.equal((await get("/sp%20ace%20%26%20%C3%BC%25.txt")).body.toString(), "awkward");
  assert.equal((await get("/page.wsgix")).headers["content-type"], "application/x-wsgix");
  assert.equal((await get("/link-in.txt")).body.toString(), "0123456789");

  // Directories: index, the trailing-slash redirect, 403 without an index.
  assert.equal((await get("/")).body.toString(), "<p>root index</p>");
  const slash = await get("/sub?x=1");
  assert.equal(slash.status, 301);
  assert.equal(slash.headers.location, "/sub/?x=1");
  assert.equal((await get("/sub/")).body.toString(), "<p>sub index</p>");
  assert.equal((await get("/empty/")).status, 403);

  // URL aliases: directory, longest first, single file; missing ones are 404 with the
  // --error-document page, never the app.
  assert.equal((await get("/static/app.css")).headers["content-type"], "text/css; charset=utf-8");
  assert.equal((await get("/static/deep/y.txt")).body.toString(), "from deep");
  assert.equal((await get("/favicon.ico")).body.toString(), "icon");
  const missing = await get("/static/nope.css");
  assert.equal(missing.status, 404);
  assert.equal(missing.body.toString(), "<p>custom not found</p>");
  assert.equal((await get("/static/.hidden")).status, 404);
  assert.equal((await get("/favicon.ico/x")).status, 404);

  // Other methods on a static file.
  const post = await request(server.url + "file.txt", { method: "POST", body: "x" });
  assert.equal(post.status, 405);
  assert.equal(post.headers.allow, "GET, HEAD");
});

test("traversal, NUL, dotfiles and symlinks out of the root are never served", async (t) => {
  const site = makeSite();
  const server = await startServer([
    app("status.wsgi"),
    "--document-root",
    site.root as string,
    "--url-alias",
    "/static",
    site.assets as string,
  ]);
  t.after(() => server.stop());
  const raw = async (path: string): Promise<string> =>
    (
      await rawExchange(
        server.port,
        `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
        3000,
      )
    ).toString("latin1");
  for (const path of [
    "/../outside.txt",
    "/static/../../outside.txt",
    "/%2e%2e/outside.txt",
    "/static/%2E%2E/%2e%2e/outside.txt",
  ]) {
    const reply = await raw(path);
    assert.doesNotMatch(reply, /outside the root/, path);
    assert.match(reply, /^HTTP\/1\.1 (400|404) /, path);
  }
  // An encoded slash is 404 before any routing, as Apache's AllowEncodedSlashes Off.
  assert.match(await raw("/sub/..%2F..%2Foutside.txt"), /^HTTP\/1\.1 404 /);
  // Dot segments are removed before routing (RFC 3986 §5.2.4): `/static/../file.txt` is
  // `/file.txt`, served from the document root, never from outside it.
  // (`/static/../static/./%2e/../outside.txt` is `/outside.txt`: the app's, not the file.)
  assert.match(await raw("/static/../static/./%2e/../outside.txt"), /app body 200 GET/);
  assert.match(await raw("/nowhere/../sub/./%2e%2e/file.txt"), /\r\n\r\n0123456789$/);
  assert.match(await raw("/file.txt%00.html"), /^HTTP\/1\.1 404 /);
  // A symlink leading out of the root is refused even though its target exists.
  const out = await raw("/link-out.txt");
  assert.match(out, /^HTTP\/1\.1 404 /);
  assert.doesNotMatch(out, /outside the root/);
  // A dotfile is not static: the app answers instead.
  const dot = await raw("/.secret");
  assert.doesNotMatch(dot, /dotfile/);
  assert.match(dot, /app body 200 GET/);
  assert.doesNotMatch(await raw("/static/%2ehidden"), /hidden\r?\n?$/);
});

test("the default document root is <server-root>/htdocs, created empty", async (t) => {
  const server = await startServer([app("status.wsgi")]);
  t.after(() => server.stop());
  writeFileSync(join(server.serverRoot, "htdocs", "robots.txt"), "User-agent: *\n");
  assert.equal((await request(server.url + "robots.txt")).body.toString(), "User-agent: *\n");
  assert.match((await request(server.url)).body.toString(), /^app body 200 GET/);
});

test("--directory-listing lists a directory without an index, dotfiles hidden", async (t) => {
  const site = makeSite();
  const server = await startServer([
    app("status.wsgi"),
    "--document-root",
    site.root as string,
    "--directory-listing",
  ]);
  t.after(() => server.stop());
  const listing = await request(server.url);
  assert.equal(listing.status, 200);
  const html = listing.body.toString();
  assert.match(html, /Index of \//);
  assert.match(html, /href="sp%20ace%20%26%20%C3%BC%25.txt">sp ace &#38; ü%.txt</);
  assert.match(html, /href="sub\/"/);
  assert.doesNotMatch(html, /secret/);
  // Without --directory-index an index.html is just a file; the directory is listed.
  assert.match((await request(server.url + "sub/")).body.toString(), /href="index.html"/);
});

test("--server-name: other hosts get 403, aliases with wildcards pass, www. redirects the bare domain", async (t) => {
  const server = await startServer([
    app("status.wsgi"),
    "--server-name",
    "www.example.com",
    "--server-alias",
    "*.example.org",
  ]);
  t.after(() => server.stop());
  // The URL printed is one the host checks accept (http://localhost:PORT/ was a 403).
  const printed = new RegExp(`^Server URL\\s*: http://www\\.example\\.com:${server.port}/$`, "m");
  assert.match(server.banner(), printed);
  const withHost = (host: string, path = "/") =>
    request(server.url.replace(/\/$/, "") + path, { headers: { Host: host } });
  assert.equal((await withHost("www.example.com")).status, 200);
  assert.equal((await withHost("WWW.Example.COM:8080")).status, 200);
  assert.equal((await withHost("api.example.org")).status, 200);
  assert.equal((await withHost("example.org")).status, 403);
  assert.equal((await withHost("evil.test")).status, 403);
  const redirect = await withHost("example.com", "/a/b?c=d");
  assert.equal(redirect.status, 301);
  assert.equal(redirect.headers.location, `http://www.example.com:${server.port}/a/b?c=d`);
  const noHost = await rawExchange(server.port, "GET / HTTP/1.0\r\n\r\n", 3000);
  assert.match(noHost.toString("latin1"), /^HTTP\/1\.1 403 /);
  // Absolute-form: the target's authority decides, not the Host field.
  const absolute = await rawExchange(
    server.port,
    "GET http://evil.test/ HTTP/1.1\r\nHost: www.example.com\r\nConnection: close\r\n\r\n",
    3000,
  );
  assert.match(absolute.toString("latin1"), /^HTTP\/1\.1 403 /);
});

test("--allow-localhost lets a loopback client through whatever its Host", async (t) => {
  const server = await startServer([
    app("status.wsgi"),
    "--server-name",
    "example.com",
    "--allow-localhost",
  ]);
  t.after(() => server.stop());
  const response = await request(server.url, { headers: { Host: "anything.test" } });
  assert.equal(response.status, 200);
});

test("--compress-responses, --error-override and --map-head-to-get Auto", async (t) => {
  const site = makeSite();
  const server = await startServer([
    app("status.wsgi"),
    "--document-root",
    site.root as string,
    "--compress-responses",
    "--access-log",
    "--error-override",
    "--error-document",
    "404",
    "/errors/404.html",
    "--url-alias",
    "/errors",
    site.errors as string,
  ]);
  t.after(() => server.stop());
  const gzip = { "Accept-Encoding": "gzip, deflate" };
  const app200 = await request(server.url, { headers: gzip });
  assert.equal(app200.headers["content-encoding"], "gzip");
  assert.equal(app200.headers.vary, "Accept-Encoding");
  assert.equal(app200.headers.etag, '"app-etag-gzip"');
  assert.equal(app200.headers["content-length"], undefined);
  assert.match(gunzipSync(app200.body).toString(), /^app body 200 GET/);
  // The access log counts the bytes sent, compressed (Apache's %b after mod_deflate).
  const accessLog = join(server.serverRoot, "access_log");
  const sent = `"GET / HTTP/1.1" 200 ${app200.body.length}\n`;
  await eventually(
    () => (existsSync(accessLog) ? readFileSync(accessLog, "utf8") : ""),
    (log) => log.includes(sent),
  );
  const plain = await request(server.url, { headers: { "Accept-Encoding": "gzip;q=0" } });
  assert.equal(plain.headers["content-encoding"], undefined);
  assert.equal(plain.headers.vary, "Accept-Encoding");
  assert.match(plain.body.toString(), /^app body 200 GET/);

  const css = await request(server.url + "style.css", { headers: gzip });
  assert.equal(css.headers["content-encoding"], "gzip");
  assert.equal(gunzipSync(css.body).toString(), "body { color: red; }\n".repeat(50));
  assert.equal(css.headers["accept-ranges"], undefined);
  assert.match(css.headers.etag ?? "", /^W\/".+-gzip"$/);
  // A HEAD says what the GET sends; the gzip variant's own validator makes it fresh.
  const cssHead = await request(server.url + "style.css", { method: "HEAD", headers: gzip });
  assert.equal(cssHead.headers["content-encoding"], "gzip");
  assert.equal(cssHead.headers["content-length"], undefined);
  assert.equal(cssHead.headers.etag, css.headers.etag);
  const fresh = await request(server.url + "style.css", {
    headers: { ...gzip, "If-None-Match": css.headers.etag ?? "" },
  });
  assert.equal(fresh.status, 304);
  const text = await request(server.url + "file.txt");
  assert.equal(text.body.toString(), "0123456789");
  assert.equal(text.headers.vary, "Accept-Encoding");

  // Error override: the app's 404 body is replaced by the error document, its 500 by
  // the built-in page.
  const notFound = await request(server.url + "?status=404");
  assert.equal(notFound.status, 404);
  assert.equal(notFound.body.toString(), "<p>custom not found</p>");
  const failed = await request(server.url + "?status=500");
  assert.equal(failed.status, 500);
  assert.doesNotMatch(failed.body.toString(), /app body/);
  assert.match(failed.body.toString(), /Internal Server Error/);

  // Auto: with compression on, the app sees HEAD as GET.
  const head = await request(server.url, { method: "HEAD" });
  assert.equal(head.headers["x-method"], "GET");
  assert.equal(head.body.length, 0);
});

test("--map-head-to-get Off keeps HEAD even with compression; On maps it without", async (t) => {
  const off = await startServer([
    app("status.wsgi"),
    "--compress-responses",
    "--map-head-to-get",
    "off",
  ]);
  t.after(() => off.stop());
  assert.equal((await request(off.url, { method: "HEAD" })).headers["x-method"], "HEAD");
  const on = await startServer([app("status.wsgi"), "--map-head-to-get", "On"]);
  t.after(() => on.stop());
  assert.equal((await request(on.url, { method: "HEAD" })).headers["x-method"], "GET");
});

test("--error-document pages the app serves: an internal GET, sent with the error's status", async (t) => {
  const site = makeSite();
  const server = await startServer([
    app("status.wsgi"),
    "--document-root",
    site.root as string,
    "--url-alias",
    "/static",
    site.assets as string,
    "--error-document",
    "404",
    "/oops?status=200",
    "--error-document",
    "500",
    "/also-fails?status=500",
    "--error-override",
  ]);
  t.after(() => server.stop());
  // A front-end 404 (missing file under an alias), rendered by the app.
  const missing = await request(server.url + "static/nope.css", { method: "POST", body: "x" });
  assert.equal(missing.status, 404);
  assert.match(missing.body.toString(), /^app body 200 GET/);
  assert.equal(missing.headers["x-redirect-status"], "404");
  // --error-override of an app 404: the page comes from the app too.
  const overridden = await request(server.url + "thing?status=404");
  assert.equal(overridden.status, 404);
  assert.match(overridden.body.toString(), /^app body 200 GET/);
  // An error page that fails itself gets the built-in page, not a loop.
  const failed = await request(server.url + "thing?status=500");
  assert.equal(failed.status, 500);
  assert.match(failed.body.toString(), /Internal Server Error/);
});
