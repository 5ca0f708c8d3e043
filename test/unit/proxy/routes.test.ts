import { test } from "node:test";
import assert from "node:assert/strict";
import type { ReverseProxyConfig } from "../../../src/config/resolve-proxy-routes.js";
import { proxyBackend } from "../../../src/config/resolve-proxy-routes.js";
import { ProxyRoutes, type RouteRequest } from "../../../src/proxy/routes.js";

const backend = (url: string) => proxyBackend("--proxy-mount-point", url);

const config: ReverseProxyConfig = {
  mounts: [
    { path: "/api/deep", backend: backend("http://127.0.0.1:2/") },
    { path: "/api", backend: backend("http://127.0.0.1:1/v1") },
    { path: "", backend: backend("unix:/run/s.sock|http://localhost/root/") },
  ],
  hosts: [{ name: "api.example", backend: backend("http://127.0.0.1:3/base") }],
  timeout: 60,
};

function at(url: string, host = "site:8000"): RouteRequest {
  return { url, host, serverName: "localhost", localPort: 8000, secure: false };
}

test("the longest mount point wins; the rest of the path and the query go on", () => {
  const routes = new ProxyRoutes(config);
  assert.equal(routes.empty, false);
  assert.deepEqual(routes.forPath(at("/api/x/y?q=1")), {
    kind: "forward",
    backend: config.mounts[1]?.backend,
    label: "/api",
    prefix: "/api",
    target: "/v1/x/y?q=1",
  });
  const deep = routes.forPath(at("/api/deep/z"));
  assert.equal(deep?.kind === "forward" && deep.target, "/z");
  const slash = routes.forPath(at("/api/"));
  assert.equal(slash?.kind === "forward" && slash.target, "/v1/");
  // `/apiary` is not under `/api`: whole segments only; the root mount takes it.
  const root = routes.forPath(at("/apiary?x"));
  assert.deepEqual(root?.kind === "forward" && [root.label, root.prefix, root.target], [
    "/",
    "",
    "/root/apiary?x",
  ]);
  // Absolute-form: the path after the authority.
  const absolute = routes.forPath(at("http://other/api/a"));
  assert.equal(absolute?.kind === "forward" && absolute.target, "/v1/a");
});

test("the bare mount point is redirected to PATH/, query kept, as the client named us", () => {
  const routes = new ProxyRoutes(config);
  assert.deepEqual(routes.forPath(at("/api?q=1")), {
    kind: "redirect",
    location: "http://site:8000/api/?q=1",
  });
  const secure = routes.forPath({ ...at("/api/deep", "example.org:443"), secure: true });
  assert.deepEqual(secure, { kind: "redirect", location: "https://example.org/api/deep/" });
});

test("virtual hosts take every path of their host name, with any port", () => {
  const routes = new ProxyRoutes(config);
  assert.deepEqual(routes.forHost(at("/x?y", "API.example:8000")), {
    kind: "forward",
    backend: config.hosts[0]?.backend,
    label: "api.example",
    prefix: null,
    target: "/base/x?y",
  });
  assert.equal(routes.forHost(at("/x", "other")), null);
  assert.equal(routes.forHost(at("/x", "")), null);
});

test("no routes: nothing is taken", () => {
  const routes = new ProxyRoutes({ mounts: [], hosts: [], timeout: 0 });
  assert.equal(routes.empty, true);
  assert.equal(routes.forPath(at("/api")), null);
  assert.equal(routes.forHost(at("/", "api.example")), null);
  const only = new ProxyRoutes({ ...config, mounts: [config.mounts[1] ?? assert.fail()] });
  assert.equal(only.forPath(at("/other")), null);
});
