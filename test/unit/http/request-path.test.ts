import assert from "node:assert/strict";
import { test } from "node:test";
import {
  classifyTarget,
  decodeUnreserved,
  normalizePath,
  removeDotSegments,
} from "../../../src/http/request-path.js";

test("removeDotSegments: RFC 3986 §5.2.4, refusing a climb above the root as Apache does", () => {
  const cases: [string, string | null][] = [
    ["/", "/"],
    ["/a/b", "/a/b"],
    ["/a/../b", "/b"],
    ["/./a", "/a"],
    ["/a/.", "/a/"],
    ["/a/..", "/"],
    ["/a/b/../../c/", "/c/"],
    ["/a/./b/./", "/a/b/"],
    ["/..", null],
    ["/../a", null],
    ["/a/../..", null],
    ["/a/../../b", null],
    ["/...", "/..."],
    ["/a..b/.x", "/a..b/.x"],
  ];
  for (const [path, expected] of cases) assert.equal(removeDotSegments(path), expected, path);
});

test("decodeUnreserved: only unreserved escapes are decoded; a malformed one is null", () => {
  assert.equal(decodeUnreserved("/%2e%2E/%41%7e"), "/../A~");
  assert.equal(decodeUnreserved("/a%2fb%20c"), "/a%2Fb%20c");
  assert.equal(decodeUnreserved("/a%zz"), null);
  assert.equal(decodeUnreserved("/a%2"), null);
  assert.equal(decodeUnreserved("/a%"), null);
});

test("normalizePath: dot segments, merged slashes, encoded slash and NUL 404, bad escape 400", () => {
  assert.equal(normalizePath("/a/%2e%2e/b"), "/b");
  assert.equal(normalizePath("//a///./b"), "/a/b");
  assert.equal(normalizePath("/%2e%2e/x"), 400);
  assert.equal(normalizePath("/a%2Fb"), 404);
  assert.equal(normalizePath("/a%2fb"), 404);
  assert.equal(normalizePath("/a%00.html"), 404);
  assert.equal(normalizePath("/a%g0"), 400);
  assert.equal(normalizePath("/caf%C3%A9"), "/caf%C3%A9");
});

test("classifyTarget: the four forms, userinfo and garbage refused", () => {
  const ok = (method: string, target: string) => {
    const verdict = classifyTarget(method, target);
    return verdict.kind === "accept" ? `${verdict.form} ${verdict.url}` : verdict.status;
  };
  assert.equal(ok("GET", "/a/../b?x=/../y#frag"), "origin /b?x=/../y");
  assert.equal(ok("GET", "http://h:81/a/./b?q"), "absolute http://h:81/a/b?q");
  assert.equal(ok("GET", "HTTPS://[::1]"), "absolute HTTPS://[::1]/");
  assert.equal(ok("GET", "http://h?q=1"), "absolute http://h/?q=1");
  assert.equal(ok("OPTIONS", "*"), "asterisk *");
  assert.equal(ok("GET", "*"), 400);
  assert.equal(ok("GET", "http://user:pass@h/"), 400);
  assert.equal(ok("GET", "http://user@h/"), 400);
  assert.equal(ok("GET", "s://]ufd/:"), 400);
  assert.equal(ok("GET", "ftp://h/"), 400);
  assert.equal(ok("GET", "http://h:x/"), 400);
  assert.equal(ok("GET", "http:/h/"), 400);
  assert.equal(ok("GET", "a/b"), 400);
  assert.equal(ok("GET", "?q"), 400);
  assert.equal(ok("GET", "http://h/../x"), 400);
});
