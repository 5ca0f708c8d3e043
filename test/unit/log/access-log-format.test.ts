import { test } from "node:test";
import assert from "node:assert/strict";
import { compileAccessLogFormat, type AccessRecord } from "../../../src/log/access-log-format.js";

const record: AccessRecord = {
  remoteAddress: "127.0.0.1",
  localAddress: "127.0.0.1",
  localPort: 8000,
  remoteUser: null,
  time: new Date(2026, 10, 23, 21, 34, 2),
  method: "GET",
  url: "/a?b=1",
  protocol: "HTTP/1.1",
  status: 200,
  bodyBytes: 12,
  durationMicros: 1500,
  requestHeader: (name) => ({ referer: "http://r/", "user-agent": "ua/1" })[name.toLowerCase()],
  responseHeader: (name) => (name.toLowerCase() === "content-type" ? "text/plain" : undefined),
};

test("common format", () => {
  const line = compileAccessLogFormat("common")(record);
  assert.match(
    line,
    /^127\.0\.0\.1 - - \[23\/Nov\/2026:21:34:02 [+-]\d{4}\] "GET \/a\?b=1 HTTP\/1\.1" 200 12$/,
  );
});

test("combined format adds referer and user agent", () => {
  assert.match(compileAccessLogFormat("combined")(record), /200 12 "http:\/\/r\/" "ua\/1"$/);
});

test("custom directives", () => {
  const format = compileAccessLogFormat("%m %U %q %>s %B %D %{Content-Type}o %{X-Missing}i %% %p");
  assert.equal(format(record), "GET /a ?b=1 200 12 1500 text/plain - % 8000");
  assert.equal(compileAccessLogFormat("%b")({ ...record, bodyBytes: 0 }), "-");
});

test("an unknown directive is refused when the format is compiled", () => {
  assert.throws(() => compileAccessLogFormat("%Z"), /%Z/);
});
