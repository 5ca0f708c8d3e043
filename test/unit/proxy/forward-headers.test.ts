import { test } from "node:test";
import assert from "node:assert/strict";
import {
  frontOrigin,
  requestHeaders,
  responseHeaders,
  reverseMapper,
  upgradeHeaders,
  type ForwardFacts,
} from "../../../src/proxy/forward-headers.js";
import { failureStatus } from "../../../src/proxy/relay.js";

const facts: ForwardFacts = {
  backendHost: "127.0.0.1:9000",
  clientAddress: "10.0.0.7",
  host: "site.example:8000",
  serverName: "site.example",
  localPort: 8000,
  secure: false,
  prefix: "/api",
};

function pairs(flat: readonly string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) out.push([flat[i] ?? "", flat[i + 1] ?? ""]);
  return out;
}

test("request fields: hop-by-hop gone, Host the back end's, X-Forwarded-* as mod_proxy", () => {
  const raw = [
    ...["Host", "site.example:8000", "Connection", "keep-alive, X-Secret"],
    ...["X-Secret", "1", "Keep-Alive", "5", "TE", "trailers", "Upgrade", "h2c"],
    ...["Transfer-Encoding", "chunked", "Expect", "100-continue", "Accept", "*/*"],
    ...["X-Forwarded-For", "1.2.3.4", "x-forwarded-for", "5.6.7.8"],
    ...["X-Forwarded-Scheme", "https", "X-Forwarded-Prefix", "/evil", "X-Forwarded-Port", "1"],
  ];
  assert.deepEqual(pairs(requestHeaders(raw, facts)), [
    ["Accept", "*/*"],
    ["Host", "127.0.0.1:9000"],
    ["X-Forwarded-For", "1.2.3.4, 5.6.7.8, 10.0.0.7"],
    ["X-Forwarded-Host", "site.example:8000"],
    ["X-Forwarded-Server", "site.example"],
    ["X-Forwarded-Port", "8000"],
    ["X-Forwarded-Prefix", "/api"],
  ]);
});

test("over TLS the scheme is set; a virtual host (no prefix) and no Host send none", () => {
  const fields = requestHeaders([], { ...facts, secure: true, prefix: null, host: undefined });
  assert.deepEqual(pairs(fields), [
    ["Host", "127.0.0.1:9000"],
    ["X-Forwarded-For", "10.0.0.7"],
    ["X-Forwarded-Server", "site.example"],
    ["X-Forwarded-Port", "8000"],
    ["X-Forwarded-Scheme", "https"],
  ]);
});

test("response fields: hop-by-hop gone, Set-Cookie kept as written, Location mapped", () => {
  const map = reverseMapper("http://127.0.0.1:9000/v1", "http://site.example:8000/api");
  const raw = [
    ...["Connection", "close, X-Internal", "X-Internal", "1", "Keep-Alive", "timeout=5"],
    ...["Transfer-Encoding", "chunked", "Set-Cookie", "a=1; Path=/v1", "Set-Cookie", "b=2"],
    ...["Location", "http://127.0.0.1:9000/v1/next?x", "Content-Location", "/v1/rel"],
    ...["URI", "http://127.0.0.1:9000/v1"],
  ].map((text, i) => (i % 3 === 0 ? Buffer.from(text, "latin1") : text));
  assert.deepEqual(pairs(responseHeaders(raw, map)), [
    ["Set-Cookie", "a=1; Path=/v1"],
    ["Set-Cookie", "b=2"],
    ["Location", "http://site.example:8000/api/next?x"],
    ["Content-Location", "/v1/rel"],
    ["URI", "http://site.example:8000/api/"],
  ]);
});

test("ProxyPassReverse maps only the back end's own URLs", () => {
  const map = reverseMapper("http://127.0.0.1:9000", "https://site.example/ws");
  assert.equal(map("http://127.0.0.1:9000/a"), "https://site.example/ws/a");
  assert.equal(map("http://127.0.0.1:9000?q"), "https://site.example/ws/?q");
  assert.equal(map("http://127.0.0.1:90001/a"), "http://127.0.0.1:90001/a");
  assert.equal(map("https://elsewhere/a"), "https://elsewhere/a");
});

test("this server's origin: the client's Host, else the server name and port", () => {
  assert.equal(frontOrigin("Site:8000", "x", 8000, false), "http://site:8000");
  assert.equal(frontOrigin("site:443", "x", 443, true), "https://site");
  assert.equal(frontOrigin("site:80", "x", 80, false), "http://site");
  assert.equal(frontOrigin(undefined, "name", 8080, false), "http://name:8080");
  assert.equal(frontOrigin("[::1]:9", "x", 9, false), "http://[::1]:9");
});

test("a 101 keeps Connection and Upgrade, drops the other hop-by-hop fields", () => {
  const raw = [
    "Upgrade",
    "websocket",
    "Connection",
    "Upgrade",
    "Keep-Alive",
    "x",
    "Sec-WebSocket-Accept",
    "k",
  ];
  assert.deepEqual(pairs(upgradeHeaders(raw)), [
    ["Upgrade", "websocket"],
    ["Connection", "Upgrade"],
    ["Sec-WebSocket-Accept", "k"],
  ]);
});

test("a head timeout is 504, anything else before the head 502", () => {
  const coded = (code: string) => Object.assign(new Error(code), { code });
  assert.equal(failureStatus(coded("UND_ERR_HEADERS_TIMEOUT")), 504);
  assert.equal(failureStatus(coded("ECONNREFUSED")), 502);
  assert.equal(failureStatus(coded("UND_ERR_SOCKET")), 502);
  assert.equal(failureStatus(new Error("x")), 502);
});
