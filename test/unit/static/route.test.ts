import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeSegment, routeStatic, type RouteSettings } from "../../../src/static/route.js";

const settings: RouteSettings = {
  documentRoot: "/srv/htdocs",
  urlAliases: [
    { urlPath: "/static/deep", target: "/srv/deep" },
    { urlPath: "/static", target: "/srv/assets" },
    { urlPath: "/favicon.ico", target: "/srv/favicon.ico" },
  ],
};

test("document root paths are decoded and normalised into segments", () => {
  assert.deepEqual(routeStatic("//a/./b%20c/%C3%BC%25.txt", settings), {
    kind: "disk",
    root: "/srv/htdocs",
    segments: ["a", "b c", "ü%.txt"],
    alias: false,
    trailingSlash: false,
  });
  assert.equal((routeStatic("/dir/", settings) as { trailingSlash: boolean }).trailingSlash, true);
});

test("NUL is refused with 404, `..` with 400, also percent-encoded", () => {
  for (const path of ["/a%00b", "/static/x%00", "/%00"]) {
    assert.deepEqual(routeStatic(path, settings), { kind: "reject", status: 404 }, path);
  }
  for (const path of ["/../etc/passwd", "/a/%2e%2e/b", "/%2E%2E", "/static/..", "/a/.%2e/"]) {
    assert.deepEqual(routeStatic(path, settings), { kind: "reject", status: 400 }, path);
  }
});

test("dotfiles and undecodable names are the app's in the document root, 404 under an alias", () => {
  for (const path of ["/.env", "/a/.git/config", "/%2eenv", "/a%2Fb", "/bad%zz", "/bad%C3"]) {
    assert.deepEqual(routeStatic(path, settings), { kind: "app" }, path);
  }
  for (const path of ["/static/.hidden", "/static/a%2Fb", "/static/%ff"]) {
    assert.deepEqual(routeStatic(path, settings), { kind: "missing" }, path);
  }
});

test("URL aliases match whole segments, the longest first", () => {
  assert.deepEqual(routeStatic("/static/deep/x.txt", settings), {
    kind: "disk",
    root: "/srv/deep",
    segments: ["x.txt"],
    alias: true,
    trailingSlash: false,
  });
  const assets = routeStatic("/static/deeper/x", settings);
  assert.equal((assets as { root: string }).root, "/srv/assets");
  assert.equal((routeStatic("/staticx/a", settings) as { root: string }).root, "/srv/htdocs");
  assert.deepEqual(routeStatic("/favicon.ico", settings), {
    kind: "disk",
    root: "/srv/favicon.ico",
    segments: [],
    alias: true,
    trailingSlash: false,
  });
});

test("decodeSegment", () => {
  assert.equal(decodeSegment("plain"), "plain");
  assert.equal(decodeSegment("a%20b"), "a b");
  assert.equal(decodeSegment("a%2fb"), null);
  assert.equal(decodeSegment("%E0%A4%A"), null);
});
