import { test } from "node:test";
import assert from "node:assert/strict";
import { mountSlashLocation, type SlashRequest } from "../../../src/http/mount-slash.js";

const request = (over: Partial<SlashRequest>): SlashRequest => ({
  path: "/app",
  query: null,
  host: "example.com",
  serverName: "localhost",
  localPort: 8000,
  secure: false,
  ...over,
});

test("the bare mount point redirects to it with a slash, an absolute URL from Host", () => {
  assert.equal(mountSlashLocation("/app", request({})), "http://example.com/app/");
  assert.equal(
    mountSlashLocation("/app", request({ host: "Example.COM:8000", query: "a=1&b" })),
    "http://example.com:8000/app/?a=1&b",
  );
  // `/app?` keeps its empty query, as mod_dir appends `?` + r->args.
  assert.equal(mountSlashLocation("/app", request({ query: "" })), "http://example.com/app/?");
  assert.equal(
    mountSlashLocation("/a/b", request({ path: "/a/b", host: "[::1]:81" })),
    "http://[::1]:81/a/b/",
  );
});

test("the scheme's default port is left out; without Host the server's name and port", () => {
  assert.equal(mountSlashLocation("/app", request({ host: "h:80" })), "http://h/app/");
  assert.equal(
    mountSlashLocation("/app", request({ host: "h:443", secure: true })),
    "https://h/app/",
  );
  assert.equal(
    mountSlashLocation("/app", request({ host: undefined })),
    "http://localhost:8000/app/",
  );
});

test("anything but the exact mount path is not redirected", () => {
  assert.equal(mountSlashLocation("/", request({ path: "/" })), null);
  assert.equal(mountSlashLocation("/app", request({ path: "/app/" })), null);
  assert.equal(mountSlashLocation("/app", request({ path: "/app/x" })), null);
  assert.equal(mountSlashLocation("/app", request({ path: "/apple" })), null);
  assert.equal(mountSlashLocation("/app", request({ path: "/App" })), null);
});
