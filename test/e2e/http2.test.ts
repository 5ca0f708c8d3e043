import { test } from "node:test";
import assert from "node:assert/strict";
import { app, startServer } from "./harness.js";
import { h2Get } from "./h2-helpers.js";
import { httpsArgs, httpsGet, httpsPort, makeCertificates } from "./tls-helpers.js";

const certs = makeCertificates();

type Environ = Record<string, unknown>;

test("--http2: h2 by ALPN; the app sees HTTP/2.0 and no pseudo-header", async (t) => {
  const server = await startServer([app("environ.wsgi"), ...httpsArgs(certs, "--http2")]);
  t.after(() => server.stop());
  const port = httpsPort(server);
  const response = await h2Get(port, certs.ca, "/x?y=1", { headers: { "x-probe": "1" } });
  assert.equal(response.status, 200, response.body.toString());
  const environ = JSON.parse(response.body.toString()) as Environ;
  assert.equal(environ.SERVER_PROTOCOL, "HTTP/2.0");
  assert.equal(environ.HTTP_HOST, `localhost:${port}`);
  assert.equal(environ.SERVER_PORT, String(port));
  assert.equal(environ.HTTP_X_PROBE, "1");
  assert.equal(environ["wsgi.url_scheme"], "https");
  assert.equal(environ.HTTPS, "1");
  assert.equal(environ.REQUEST_URI, "/x?y=1");
  assert.equal(environ.PATH_INFO, "/x");
  const odd = Object.keys(environ).filter((key) => /[:]|HTTP__/.test(key));
  assert.deepEqual(odd, []);
  // An HTTP/1.1 client on the same port (no h2 in its ALPN) is still served.
  const h1 = await httpsGet(port, { ca: certs.ca, path: "/h1" });
  assert.equal(h1.status, 200);
  const h1Environ = JSON.parse(h1.body.toString()) as Environ;
  assert.equal(h1Environ.SERVER_PROTOCOL, "HTTP/1.1");
  assert.equal(h1Environ.PATH_INFO, "/h1");
});
