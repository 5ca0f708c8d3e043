import { test } from "node:test";
import assert from "node:assert/strict";
import { acceptsGzip, compressibleType, gzipETag, gzipHead } from "../../../src/http/compress.js";
import { parseMimeTypes, typeForFile } from "../../../src/static/mime.js";

test("Accept-Encoding negotiation for gzip", () => {
  assert.equal(acceptsGzip("gzip"), true);
  assert.equal(acceptsGzip("deflate, GZIP;q=0.5"), true);
  assert.equal(acceptsGzip("*"), true);
  assert.equal(acceptsGzip(["br", "x-gzip"]), true);
  assert.equal(acceptsGzip("gzip;q=0"), false);
  assert.equal(acceptsGzip("gzip;q=0, *"), false);
  assert.equal(acceptsGzip("identity"), false);
  assert.equal(acceptsGzip(undefined), false);
});

test("only mod_wsgi-express's types are compressible", () => {
  assert.equal(compressibleType("text/html; charset=utf-8"), true);
  assert.equal(compressibleType("Application/JSON"), true);
  assert.equal(compressibleType("image/png"), false);
  assert.equal(compressibleType(undefined), false);
});

test("an application head rewritten for gzip", () => {
  const head = [
    "Content-Type",
    "text/plain",
    "Content-Length",
    "5",
    "ETag",
    '"x"',
    "Vary",
    "Cookie",
  ];
  assert.deepEqual(gzipHead(200, head, "gzip"), {
    gzip: true,
    headers: [
      "Content-Type",
      "text/plain",
      "ETag",
      '"x-gzip"',
      "Vary",
      "Cookie, Accept-Encoding",
      "Content-Encoding",
      "gzip",
    ],
  });
  assert.deepEqual(gzipHead(200, head, undefined), {
    gzip: false,
    headers: [
      "Content-Type",
      "text/plain",
      "Content-Length",
      "5",
      "ETag",
      '"x"',
      "Vary",
      "Cookie, Accept-Encoding",
    ],
  });
  assert.equal(gzipHead(200, ["Content-Type", "image/png"], "gzip"), null);
  assert.equal(
    gzipHead(200, ["Content-Type", "text/plain", "Content-Encoding", "br"], "gzip"),
    null,
  );
  assert.equal(gzipHead(304, ["Content-Type", "text/plain"], "gzip"), null);
  assert.equal(gzipETag('W/"abc"'), 'W/"abc-gzip"');
});

test("mime.types files and the built-in types", async () => {
  const table = parseMimeTypes(
    "# types\ntext/x-foo\tfoo FOO2\n\napplication/x-bar bar # trailing\nbroken\n",
  );
  assert.deepEqual(
    [...table],
    [
      ["foo", "text/x-foo"],
      ["foo2", "text/x-foo"],
      ["bar", "application/x-bar"],
    ],
  );
  assert.equal(await typeForFile("/a/b.FOO", table), "text/x-foo; charset=utf-8");
  assert.equal(await typeForFile("/a/b.bar", table), "application/x-bar");
  assert.equal(await typeForFile("/a/b.css", table), "text/css; charset=utf-8");
  assert.equal(await typeForFile("/a/noext", table), "application/octet-stream");
});
