import { test } from "node:test";
import assert from "node:assert/strict";
import { proxyBackend } from "../../../src/config/resolve-proxy-routes.js";
import { Backends } from "../../../src/proxy/backends.js";

test("one pool per back end (origin and socket), closed together", async () => {
  const backends = new Backends({ connections: 2, timeout: 0 }, true);
  const tcp = proxyBackend("--proxy-mount-point", "http://127.0.0.1:9/a");
  const sameOrigin = proxyBackend("--proxy-mount-point", "http://127.0.0.1:9/b");
  const unix = proxyBackend("--proxy-mount-point", "unix:/run/x.sock|http://127.0.0.1:9/");
  const pool = backends.poolFor(tcp);
  assert.equal(backends.poolFor(sameOrigin), pool);
  assert.notEqual(backends.poolFor(unix), pool);
  await backends.close();
  assert.equal(pool.closed, true);
  // After close, a request gets a new pool rather than a closed one.
  assert.notEqual(backends.poolFor(tcp), pool);
  await backends.close();
});
