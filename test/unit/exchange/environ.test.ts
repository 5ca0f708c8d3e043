import { test } from "node:test";
import assert from "node:assert/strict";
import {
  baseOf,
  buildEnviron,
  environBase,
  headerEnviron,
  splitMount,
  type EnvironInput,
  type EnvironSettings,
} from "../../../src/exchange/environ.js";
import { decodePath, plainAddress, splitTarget } from "../../../src/http/request-target.js";
import { baseFrame } from "../../../src/daemon/request-frames.js";

test("splitTarget keeps the raw query and drops the fragment", () => {
  assert.deepEqual(splitTarget("/a%20b?x=1&y=%41#frag"), {
    path: "/a%20b",
    query: "x=1&y=%41",
    uri: "/a%20b?x=1&y=%41",
  });
  assert.deepEqual(splitTarget("/p#f?not-a-query"), { path: "/p", query: "", uri: "/p" });
});

test("splitTarget turns an absolute-form target into a path", () => {
  assert.deepEqual(splitTarget("http://example.com:8080/x?q"), {
    path: "/x",
    query: "q",
    uri: "/x?q",
  });
  assert.equal(splitTarget("http://example.com").path, "/");
});

test("decodePath yields latin-1 code points, one per byte (PEP 3333)", () => {
  // UTF-8 bytes of "é" arrive as two code points, as wsgiref and mod_wsgi give them.
  assert.equal(decodePath("/caf%C3%A9"), "/caf\u00c3\u00a9");
  assert.equal(decodePath("/a%2Fb"), "/a/b");
  assert.equal(decodePath("/bad%zz"), "/bad%zz");
});

test("splitMount follows the mount point and collapses slashes", () => {
  assert.deepEqual(splitMount("//a//b", "/"), { scriptName: "", pathInfo: "/a/b" });
  assert.deepEqual(splitMount("/app", "/app"), { scriptName: "/app", pathInfo: "" });
  assert.deepEqual(splitMount("/app/x", "/app"), { scriptName: "/app", pathInfo: "/x" });
  assert.equal(splitMount("/application", "/app"), null);
  assert.equal(splitMount("/other", "/app"), null);
});

test("headers: joined when repeated, content keys without HTTP_, unsafe names dropped", () => {
  const environ: Record<string, string> = {};
  headerEnviron(
    [
      "X-Dup",
      "a",
      "x-dup",
      "b",
      "Content-Type",
      "text/plain",
      "Content-Length",
      "3",
      "X_Forwarded_For",
      "6.6.6.6",
      "Proxy",
      "http://evil",
      "Authorization",
      "Basic Zm9vOmJhcg==",
      "Proxy-Authorization",
      "Basic cHJveHk6c2VjcmV0",
    ],
    environ,
  );
  assert.deepEqual(environ, {
    HTTP_X_DUP: "a, b",
    CONTENT_TYPE: "text/plain",
    CONTENT_LENGTH: "3",
    HTTP_AUTHORIZATION: "Basic Zm9vOmJhcg==",
  });
});

const input: EnvironInput = {
  method: "POST",
  target: "/app/x?q=1",
  httpVersion: "1.1",
  rawHeaders: ["Host", "example.com:8080"],
  remoteAddress: "127.0.0.1",
  remotePort: 50000,
  localAddress: "127.0.0.1",
  localPort: 8000,
  requestId: "r1",
  connectionId: "c1",
};
const settings: EnvironSettings = {
  mountPoint: "/app",
  serverName: "localhost",
  serverSoftware: "wsgi-express",
  documentRoot: "/root/htdocs",
  scriptFilename: "/srv/app.wsgi",
  processGroup: "localhost:8000",
  applicationGroup: "",
  callableObject: "application",
  listenerHost: "",
  requestEnviron: [
    ["SETENV_KEY", "value"],
    ["SERVER_NAME", "from-setenv"],
  ],
};
const base = environBase(1, settings, 8000);

test("buildEnviron sets the CGI keys mod_wsgi sets", () => {
  const environ = buildEnviron(
    input,
    settings,
    base,
    { scriptName: "/app", pathInfo: "/x" },
    "q=1",
    "/app/x?q=1",
  );
  assert.equal(environ.REQUEST_METHOD, "POST");
  // No ServerAdmin in mod_wsgi-express's config: Apache's compiled-in default.
  assert.equal(environ.SERVER_ADMIN, "[no address given]");
  assert.equal(environ.SCRIPT_NAME, "/app");
  assert.equal(environ.PATH_INFO, "/x");
  assert.equal(environ.QUERY_STRING, "q=1");
  assert.equal(environ.REQUEST_URI, "/app/x?q=1");
  // --setenv wins over a request key of the same name, as when it was applied last.
  assert.equal(environ.SERVER_NAME, "from-setenv");
  assert.equal(environ.SERVER_PORT, "8080");
  assert.equal(environ.SERVER_PROTOCOL, "HTTP/1.1");
  assert.equal(environ.REMOTE_PORT, "50000");
  assert.equal(environ["wsgi.url_scheme"], "http");
  assert.equal(environ["mod_wsgi.process_group"], "localhost:8000");
  assert.equal(environ.SETENV_KEY, "value");
  assert.equal(environ.HTTPS, undefined);
});

test("without a Host header the server name and listening port are used", () => {
  const environ = buildEnviron(
    { ...input, rawHeaders: [] },
    { ...settings, requestEnviron: [] },
    base,
    { scriptName: "", pathInfo: "/" },
    "",
    "/",
  );
  assert.equal(environ.SERVER_NAME, "localhost");
  assert.equal(environ.SERVER_PORT, "8000");
});

test("plainAddress strips the IPv4-mapped prefix", () => {
  assert.equal(plainAddress("::ffff:127.0.0.1"), "127.0.0.1");
  assert.equal(plainAddress("::1"), "::1");
  assert.equal(plainAddress(undefined), "");
});

test("a request's environ carries only its own keys over the listener's base", () => {
  const environ = buildEnviron(input, settings, base, { scriptName: "", pathInfo: "/" }, "", "/");
  assert.equal(baseOf(environ), base);
  // Reads see the base; the protocol sends only the own keys (REQUEST_HEAD).
  assert.equal(environ.DOCUMENT_ROOT, "/root/htdocs");
  assert.equal(environ["mod_wsgi.listener_port"], "8000");
  assert.equal(Object.hasOwn(environ, "DOCUMENT_ROOT"), false);
  assert.ok(Object.keys(environ).includes("REQUEST_METHOD"));
  // A request may override a base key (a trusted proxy's scheme) without touching it.
  environ["wsgi.url_scheme"] = "https";
  assert.equal(base.environ["wsgi.url_scheme"], "http");
  const frame = JSON.parse(baseFrame(base).subarray(5).toString("utf8")) as {
    base: number;
    environ: Record<string, string>;
  };
  assert.equal(frame.base, 1);
  assert.equal(frame.environ.SETENV_KEY, "value");
});
