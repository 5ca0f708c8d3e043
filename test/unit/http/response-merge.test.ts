import { test } from "node:test";
import assert from "node:assert/strict";
import { lowerMediaType, mergeResponseHeaders } from "../../../src/http/response-merge.js";

test("no duplicates: the headers go through as they were", () => {
  const headers = ["Content-Type", "text/plain", "X-A", "1"];
  assert.deepEqual(mergeResponseHeaders(headers), headers);
});

test("other duplicates merge into the first line, joined with ', ' (APR_OVERLAP_TABLES_MERGE)", () => {
  assert.deepEqual(
    mergeResponseHeaders(["Vary", "Accept", "X-A", "1", "vary", "Cookie", "VARY", "Origin"]),
    ["Vary", "Accept, Cookie, Origin", "X-A", "1"],
  );
});

test("Set-Cookie and WWW-Authenticate are never merged", () => {
  const headers = [
    "Set-Cookie",
    "a=1; Expires=Wed, 21 Oct 2026 07:28:00 GMT",
    "WWW-Authenticate",
    "Basic realm=x",
    "set-cookie",
    "b=2",
    "WWW-Authenticate",
    "Bearer",
  ];
  assert.deepEqual(mergeResponseHeaders(headers), headers);
});

test("Location, Content-Type, Content-Range, Transfer-Encoding, Last-Modified: the last wins", () => {
  assert.deepEqual(
    mergeResponseHeaders([
      "Location",
      "/a",
      "Content-Type",
      "text/plain",
      "Last-Modified",
      "Mon, 01 Jan 2024 00:00:00 GMT",
      "Location",
      "/b",
      "content-type",
      "text/html",
      "Last-Modified",
      "Tue, 02 Jan 2024 00:00:00 GMT",
    ]),
    [
      "Location",
      "/b",
      "Content-Type",
      "text/html",
      "Last-Modified",
      "Tue, 02 Jan 2024 00:00:00 GMT",
    ],
  );
});

test("Content-Type's media type is lower-cased, its parameters kept (ap_content_type_tolower)", () => {
  assert.equal(lowerMediaType("Text/HTML; Charset=UTF-8"), "text/html; Charset=UTF-8");
  assert.equal(lowerMediaType("Application/JSON"), "application/json");
  assert.deepEqual(mergeResponseHeaders(["Content-Type", "Text/Plain"]), [
    "Content-Type",
    "text/plain",
  ]);
});
