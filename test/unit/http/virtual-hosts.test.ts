import { test } from "node:test";
import assert from "node:assert/strict";
import {
  checkHost,
  hostName,
  isLoopback,
  matchesAlias,
  type HostRules,
} from "../../../src/http/virtual-hosts.js";

const named: HostRules = {
  serverName: "www.example.com",
  aliases: ["*.example.org", "api?.test"],
  allowLocalhost: false,
};
const from = (host: string | undefined, remoteAddress = "203.0.113.9", uri = "/p?q=1") => ({
  host,
  remoteAddress,
  uri,
  port: 8000,
});

test("without --server-name every Host is served, even none", () => {
  const open: HostRules = { serverName: null, aliases: [], allowLocalhost: false };
  assert.equal(checkHost(open, from("anything")).kind, "serve");
  assert.equal(checkHost(open, from(undefined)).kind, "serve");
});

test("the server name and its aliases are served, case and port aside", () => {
  for (const host of [
    "www.example.com",
    "WWW.EXAMPLE.com:80",
    "www.example.com.",
    "a.example.org",
    "api1.test",
  ]) {
    assert.equal(checkHost(named, from(host)).kind, "serve", host);
  }
});

test("other hosts, a missing Host and near misses are forbidden", () => {
  for (const host of [
    undefined,
    "",
    "evil.test",
    "example.org",
    "api12.test",
    "www.example.com.evil.test",
    "x.example.org.evil",
  ]) {
    assert.equal(checkHost(named, from(host)).kind, "forbidden", String(host));
  }
});

test("a www. server name redirects the bare domain permanently, keeping the path", () => {
  assert.deepEqual(checkHost(named, from("example.com:8000")), {
    kind: "redirect",
    location: "http://www.example.com:8000/p?q=1",
  });
  const plain: HostRules = { serverName: "example.com", aliases: [], allowLocalhost: false };
  assert.equal(checkHost(plain, from("com")).kind, "forbidden");
});

test("--allow-localhost lets loopback clients through, and only them", () => {
  const local: HostRules = { ...named, allowLocalhost: true };
  assert.equal(checkHost(local, from("evil.test", "127.0.0.1")).kind, "serve");
  assert.equal(checkHost(local, from(undefined, "::1")).kind, "serve");
  assert.equal(checkHost(local, from("evil.test", "10.0.0.1")).kind, "forbidden");
  assert.equal(checkHost(named, from("evil.test", "127.0.0.1")).kind, "forbidden");
});

test("host names and alias patterns", () => {
  assert.equal(hostName("[::1]:8080"), "[::1]");
  assert.equal(hostName("Example.COM"), "example.com");
  assert.equal(hostName(":80"), null);
  assert.equal(matchesAlias("*.example.org", "a.b.example.org"), true);
  assert.equal(matchesAlias("*.example.org", "example.org"), false);
  assert.equal(matchesAlias("a+b.test", "a+b.test"), true);
  assert.equal(matchesAlias("a+b.test", "aab.test"), false);
  assert.equal(isLoopback("127.5.5.5"), true);
  assert.equal(isLoopback("::ffff:127.0.0.1"), true);
  assert.equal(isLoopback("128.0.0.1"), false);
});
