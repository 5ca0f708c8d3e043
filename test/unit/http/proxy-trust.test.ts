import assert from "node:assert/strict";
import { test } from "node:test";
import { applyProxyTrust, proxyTrust } from "../../../src/http/proxy-trust.js";

const base = (): Record<string, string> => ({
  REMOTE_ADDR: "10.0.0.5",
  HTTP_HOST: "internal:8000",
  SERVER_PORT: "8000",
  SCRIPT_NAME: "",
  "wsgi.url_scheme": "http",
  REQUEST_SCHEME: "http",
  HTTP_X_FORWARDED_FOR: "203.0.113.9, 10.0.0.7",
  HTTP_X_REAL_IP: "6.6.6.6",
  HTTP_X_FORWARDED_HOST: "example.com",
  HTTP_X_FORWARDED_PORT: "443",
  HTTP_X_FORWARDED_PROTO: "https",
  HTTP_X_SCRIPT_NAME: "/app",
});

const trusting = proxyTrust(
  ["x-forwarded-for", "x-forwarded-host", "x-forwarded-port", "x-forwarded-proto", "x-script-name"],
  ["10.0.0.0/24"],
);

test("a trusted proxy's headers rewrite the environ as mod_wsgi documents", () => {
  const environ = base();
  applyProxyTrust(environ, trusting, "10.0.0.5");
  assert.equal(environ.REMOTE_ADDR, "203.0.113.9");
  assert.equal(environ.HTTP_X_FORWARDED_FOR, "203.0.113.9, 10.0.0.7");
  assert.equal(environ.HTTP_HOST, "example.com");
  assert.equal(environ.SERVER_PORT, "443");
  assert.equal(environ["wsgi.url_scheme"], "https");
  assert.equal(environ.HTTPS, "1");
  assert.equal(environ.SCRIPT_NAME, "/app");
  // X-Real-IP is a synonym of a trusted category that was not the one applied (CVE-2022-2255).
  assert.equal(environ.HTTP_X_REAL_IP, undefined);
});

test("an untrusted peer's forwarded headers are removed, nothing is rewritten", () => {
  const environ = base();
  applyProxyTrust(environ, trusting, "192.0.2.1");
  assert.equal(environ.REMOTE_ADDR, "10.0.0.5");
  assert.equal(environ.HTTP_HOST, "internal:8000");
  assert.equal(environ["wsgi.url_scheme"], "http");
  for (const key of [
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_REAL_IP",
    "HTTP_X_FORWARDED_HOST",
    "HTTP_X_FORWARDED_PROTO",
    "HTTP_X_SCRIPT_NAME",
  ]) {
    assert.equal(environ[key], undefined, key);
  }
});

test("X-Forwarded-For: walk past trusted proxies from the right, skip empty elements", () => {
  const trust = proxyTrust(["x-forwarded-for"], ["10.0.0.0/8"]);
  const environ = {
    REMOTE_ADDR: "10.1.1.1",
    HTTP_X_FORWARDED_FOR: "1.1.1.1, ,2.2.2.2,10.0.0.2, 10.0.0.3",
  };
  applyProxyTrust(environ, trust, "10.1.1.1");
  assert.equal(environ.REMOTE_ADDR, "2.2.2.2");
  assert.equal(environ.HTTP_X_FORWARDED_FOR, "2.2.2.2, 10.0.0.2, 10.0.0.3");
  const all = { REMOTE_ADDR: "10.1.1.1", HTTP_X_FORWARDED_FOR: "10.0.0.9,10.0.0.2" };
  applyProxyTrust(all, trust, "10.1.1.1");
  assert.equal(all.REMOTE_ADDR, "10.0.0.9");
  const junk = { REMOTE_ADDR: "10.1.1.1", HTTP_X_FORWARDED_FOR: "not-an-ip" };
  applyProxyTrust(junk, trust, "10.1.1.1");
  assert.equal(junk.REMOTE_ADDR, "10.1.1.1");
  assert.equal(junk.HTTP_X_FORWARDED_FOR, undefined);
});

test("scheme flags and IPv6 proxies", () => {
  const trust = proxyTrust(["x-forwarded-ssl"], ["::1", "fd00::/8"]);
  const on = { "wsgi.url_scheme": "http", HTTP_X_FORWARDED_SSL: "On" };
  applyProxyTrust(on, trust, "::1");
  assert.equal(on["wsgi.url_scheme"], "https");
  const bad = { "wsgi.url_scheme": "http", HTTP_X_FORWARDED_SSL: "maybe" };
  applyProxyTrust(bad, trust, "fd00::1");
  assert.equal(bad["wsgi.url_scheme"], "http");
  assert.equal(bad.HTTP_X_FORWARDED_SSL, undefined);
});

test("nothing trusted: the environ is left alone", () => {
  const environ = base();
  applyProxyTrust(environ, proxyTrust([], []), "192.0.2.1");
  assert.deepEqual(environ, base());
});
