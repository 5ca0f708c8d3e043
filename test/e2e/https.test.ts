import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import { Agent } from "node:https";
import { connect as tlsConnect } from "node:tls";
import { promisify } from "node:util";
import { app, eventually, request, runCli, startServer } from "./harness.js";
import { httpsArgs, httpsGet, httpsPort, makeCertificates } from "./tls-helpers.js";

const run = promisify(execFile);
const certs = makeCertificates();
certs.issue("alice", "alice");
certs.issue("mallory", "mallory", { ca: "other-ca" });
const alice = {
  cert: readFileSync(certs.path("alice.crt"), "utf8"),
  key: readFileSync(certs.path("alice.key"), "utf8"),
};
const mallory = {
  cert: readFileSync(certs.path("mallory.crt"), "utf8"),
  key: readFileSync(certs.path("mallory.key"), "utf8"),
};

type Environ = Record<string, unknown>;

test("HTTPS: the app sees https, HTTPS=1 and its port; the banner names the URL", async (t) => {
  const server = await startServer([app("environ.wsgi"), ...httpsArgs(certs)]);
  t.after(() => server.stop());
  const port = httpsPort(server);
  assert.match(server.banner(), /^Server URL \(HTTPS\) : https:\/\/localhost:\d+\/$/m);
  const response = await httpsGet(port, { ca: certs.ca, path: "/x?y=1" });
  assert.equal(response.status, 200);
  const environ = JSON.parse(response.body.toString()) as Environ;
  assert.equal(environ["wsgi.url_scheme"], "https");
  assert.equal(environ.REQUEST_SCHEME, "https");
  assert.equal(environ.HTTPS, "1");
  assert.equal(environ.SERVER_PORT, String(port));
  assert.equal(environ["mod_wsgi.listener_port"], String(port));
  // Without --ssl-environment no SSL_* key reaches the app.
  assert.deepEqual(
    Object.keys(environ).filter((key) => key.startsWith("SSL_")),
    [],
  );
  // The plain port still serves plain HTTP, with its own scheme.
  const plain = JSON.parse(
    (await request(server.url, { headers: { Host: "localhost" } })).body.toString(),
  ) as Environ;
  assert.equal(plain["wsgi.url_scheme"], "http");
  assert.equal(plain.HTTPS, undefined);
  // And curl, checking the certificate against the test CA.
  const { stdout } = await run("curl", [
    ...["-sS", "--cacert", certs.path("ca.crt"), "--resolve", `localhost:${port}:127.0.0.1`],
    `https://localhost:${port}/curl`,
  ]);
  assert.equal((JSON.parse(stdout) as Environ).PATH_INFO, "/curl");
  // TLS 1.1 and older are refused.
  const old = await run("curl", [
    ...["-sS", "-o", "/dev/null", "-w", "%{http_code}", "--tlsv1.1", "--tls-max", "1.1"],
    ...["--cacert", certs.path("ca.crt"), "--resolve", `localhost:${port}:127.0.0.1`],
    `https://localhost:${port}/`,
  ]).then(
    () => "connected",
    () => "refused",
  );
  assert.equal(old, "refused");
});

test("--ssl-environment: mod_ssl's SSL_* variables, with a client certificate", async (t) => {
  const server = await startServer([
    app("environ.wsgi"),
    ...httpsArgs(certs, "--ssl-ca-certificate-file", certs.path("ca.crt"), "--ssl-environment"),
  ]);
  t.after(() => server.stop());
  const response = await httpsGet(httpsPort(server), { ca: certs.ca, ...alice });
  assert.equal(response.status, 200, response.body.toString());
  const environ = JSON.parse(response.body.toString()) as Record<string, string>;
  assert.equal(environ.HTTPS, "1");
  assert.equal(environ.SSL_PROTOCOL, "TLSv1.3");
  assert.match(
    environ.SSL_CIPHER ?? "",
    /^TLS_(AES_(128|256)_GCM|CHACHA20_POLY1305)_SHA(256|384)$/,
  );
  assert.match(environ.SSL_CIPHER_USEKEYSIZE ?? "", /^(128|256)$/);
  assert.match(environ.SSL_SESSION_ID ?? "", /^[0-9A-F]{2,64}$/);
  assert.equal(environ.SSL_SERVER_S_DN, "CN=localhost,O=Tests,C=US");
  assert.equal(environ.SSL_SERVER_I_DN, "CN=Test CA");
  assert.equal(environ.SSL_CLIENT_VERIFY, "SUCCESS");
  assert.equal(environ.SSL_CLIENT_S_DN, "CN=alice,O=Tests,C=US");
  assert.equal(environ.SSL_CLIENT_S_DN_CN, "alice");
  assert.equal(environ.SSL_CLIENT_I_DN, "CN=Test CA");
  const serial = (
    await run("openssl", ["x509", "-noout", "-serial", "-in", certs.path("alice.crt")])
  ).stdout
    .trim()
    .replace("serial=", "");
  assert.equal(environ.SSL_CLIENT_M_SERIAL, serial);
  const date = /^[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4} GMT$/;
  assert.match(environ.SSL_CLIENT_V_START ?? "", date);
  assert.match(environ.SSL_CLIENT_V_END ?? "", date);
  assert.equal(environ.SSL_CLIENT_CERT?.trim(), alice.cert.trim());
});

test("client certificates for the whole site: accepted from the CA, else 403", async (t) => {
  const server = await startServer([
    app("hello.wsgi"),
    ...httpsArgs(certs, "--ssl-ca-certificate-file", certs.path("ca.crt")),
  ]);
  t.after(() => server.stop());
  const port = httpsPort(server);
  assert.equal((await httpsGet(port, { ca: certs.ca, ...alice })).status, 200);
  assert.equal((await httpsGet(port, { ca: certs.ca })).status, 403);
  assert.equal((await httpsGet(port, { ca: certs.ca, ...mallory })).status, 403);
  const log = await eventually(
    server.errorLog,
    (text) => /sent none/.test(text) && /did not verify/.test(text),
  );
  assert.match(log, /client certificate required for \/: refused, the client sent none/);
  const { stdout } = await run("curl", [
    ...["-sS", "-o", "/dev/null", "-w", "%{http_code}", "--cacert", certs.path("ca.crt")],
    ...["--cert", certs.path("alice.crt"), "--key", certs.path("alice.key")],
    ...["--resolve", `localhost:${port}:127.0.0.1`, `https://localhost:${port}/`],
  ]);
  assert.equal(stdout, "200");
});

test("--ssl-verify-client PATH: renegotiated on TLS 1.2, 403 on TLS 1.3 without one", async (t) => {
  const server = await startServer([
    app("hello.wsgi"),
    ...httpsArgs(certs, "--ssl-ca-certificate-file", certs.path("ca.crt")),
    ...["--ssl-verify-client", "/secure"],
  ]);
  t.after(() => server.stop());
  const port = httpsPort(server);
  // Outside the path no certificate is asked for.
  assert.equal((await httpsGet(port, { ca: certs.ca, path: "/open" })).status, 200);
  assert.equal((await httpsGet(port, { ca: certs.ca, path: "/secured" })).status, 200);
  // TLS 1.2: asked for by renegotiation; given, served; not given, 403.
  const v12 = { ca: certs.ca, path: "/secure/x", maxVersion: "TLSv1.2" } as const;
  const renegotiated = await httpsGet(port, { ...v12, ...alice });
  assert.equal(renegotiated.status, 200);
  assert.equal(renegotiated.protocol, "TLSv1.2");
  assert.equal((await httpsGet(port, v12)).status, 403);
  assert.equal((await httpsGet(port, { ...v12, ...mallory })).status, 403);
  // TLS 1.3: no post-handshake authentication in node, so 403 with the reason logged.
  const v13 = await httpsGet(port, { ca: certs.ca, path: "/secure", ...alice });
  assert.equal(v13.protocol, "TLSv1.3");
  assert.equal(v13.status, 403);
  await eventually(server.errorLog, (text) => /is TLS 1\.3, which cannot be asked/.test(text));
  // curl over TLS 1.2 with its certificate.
  const { stdout } = await run("curl", [
    ...["-sS", "-o", "/dev/null", "-w", "%{http_code}", "--tls-max", "1.2"],
    ...["--cacert", certs.path("ca.crt"), "--cert", certs.path("alice.crt")],
    ...["--key", certs.path("alice.key"), "--resolve", `localhost:${port}:127.0.0.1`],
    `https://localhost:${port}/secure/y`,
  ]);
  assert.equal(stdout, "200");
});

test("no client-initiated renegotiation", async (t) => {
  const server = await startServer([app("hello.wsgi"), ...httpsArgs(certs)]);
  t.after(() => server.stop());
  const socket = tlsConnect({
    host: "127.0.0.1",
    port: httpsPort(server),
    servername: "localhost",
    ca: certs.ca,
    maxVersion: "TLSv1.2",
  });
  t.after(() => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    socket.once("secureConnect", resolve);
    socket.once("error", reject);
  });
  // Read, so that the server's close is seen.
  socket.resume();
  const outcome = await new Promise<string>((resolve) => {
    socket.once("error", () => {
      resolve("refused");
    });
    socket.once("close", () => {
      resolve("refused");
    });
    // The handshake itself may finish before the server's close arrives: what counts is
    // that the connection does not survive it.
    socket.renegotiate({}, () => undefined);
  });
  assert.equal(outcome, "refused");
  assert.equal(socket.destroyed, true);
});

test("--https-only redirects the site to HTTPS; --hsts-policy on HTTPS responses", async (t) => {
  const server = await startServer([
    app("hello.wsgi"),
    ...httpsArgs(certs, "--https-only", "--hsts-policy", "max-age=63072000; includeSubDomains"),
    "--server-alias",
    "alias.test",
  ]);
  t.after(() => server.stop());
  const port = httpsPort(server);
  const plain = await request(`${server.url}some/path?q=1`, { headers: { Host: "localhost" } });
  assert.equal(plain.status, 302);
  assert.equal(plain.headers.location, `https://localhost:${port}/some/path?q=1`);
  assert.equal(plain.headers["strict-transport-security"], undefined);
  const alias = await request(`${server.url}a`, { headers: { Host: "alias.test:80" } });
  assert.equal(alias.headers.location, `https://localhost:${port}/a`);
  // The catch-all vhost is not the site: 403, as before.
  assert.equal((await request(server.url, { headers: { Host: "other.test" } })).status, 403);
  const secure = await httpsGet(port, { ca: certs.ca });
  assert.equal(secure.status, 200);
  assert.equal(secure.headers["strict-transport-security"], "max-age=63072000; includeSubDomains");
  // Error pages the front end answers carry it too.
  const refused = await httpsGet(port, { ca: certs.ca, headers: { Host: "other.test" } });
  assert.equal(refused.status, 403);
  assert.equal(refused.headers["strict-transport-security"], "max-age=63072000; includeSubDomains");
});

test("SIGUSR1 reloads the certificate; open connections keep working; a bad file is logged", async (t) => {
  const local = makeCertificates();
  const crt = local.path("live.crt");
  const key = local.path("live.key");
  copyFileSync(local.path("server.crt"), crt);
  copyFileSync(local.path("server.key"), key);
  const server = await startServer([
    app("hello.wsgi"),
    ...["--https-port", "0", "--server-name", "localhost"],
    ...["--ssl-certificate-file", crt, "--ssl-certificate-key-file", key],
    // The reload is logged at notice, as Apache logs its restarts.
    ...["--log-level", "info"],
  ]);
  t.after(() => server.stop());
  const port = httpsPort(server);
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  t.after(() => {
    agent.destroy();
  });
  const first = await httpsGet(port, { ca: local.ca, agent });
  assert.equal(first.status, 200);
  // The renewed certificate: same name, new key and serial.
  local.issue("renewed", "localhost", { server: true });
  copyFileSync(local.path("renewed.crt"), crt);
  copyFileSync(local.path("renewed.key"), key);
  server.child.kill("SIGUSR1");
  await eventually(server.errorLog, (text) => /certificates reloaded/.test(text), 20_000);
  const fresh = await httpsGet(port, { ca: local.ca });
  assert.notEqual(fresh.serverSerial, first.serverSerial);
  // The connection opened before the reload still serves, with the old certificate.
  const again = await httpsGet(port, { ca: local.ca, agent });
  assert.equal(again.status, 200);
  assert.equal(again.localPort, first.localPort);
  assert.equal(again.serverSerial, first.serverSerial);
  // A broken file at the next restart: logged, the renewed certificate stays.
  writeFileSync(crt, "not a certificate\n");
  server.child.kill("SIGUSR1");
  await eventually(server.errorLog, (text) => /certificates not reloaded/.test(text), 20_000);
  assert.match(server.errorLog(), /--ssl-certificate-file: '.*live\.crt' is not a PEM file/);
  const still = await httpsGet(port, { ca: local.ca });
  assert.equal(still.status, 200);
  assert.equal(still.serverSerial, fresh.serverSerial);
});

test("bad certificate files stop start-up with one line naming the option and the file", async () => {
  const bad = makeCertificates();
  bad.issue("other", "localhost", { server: true });
  writeFileSync(bad.path("garbage.crt"), "hello\n");
  await run("openssl", [
    ...["pkey", "-in", bad.path("server.key"), "-aes256", "-passout", "pass:secret"],
    ...["-out", bad.path("encrypted.key")],
  ]);
  const cases: [string, string, RegExp][] = [
    [
      bad.path("garbage.crt"),
      bad.path("server.key"),
      /--ssl-certificate-file: '.*garbage\.crt' is not a PEM file/,
    ],
    [
      bad.path("server.crt"),
      bad.path("server.crt"),
      /--ssl-certificate-key-file: '.*server\.crt' is not a PEM file holding a private key/,
    ],
    [
      bad.path("server.crt"),
      bad.path("other.key"),
      /--ssl-certificate-key-file: '.*other\.key' is not the key of/,
    ],
    [
      bad.path("server.crt"),
      bad.path("encrypted.key"),
      /--ssl-certificate-key-file: '.*encrypted\.key' is encrypted/,
    ],
    [
      bad.path("missing.crt"),
      bad.path("server.key"),
      /--ssl-certificate-file: expected an existing certificate file, got/,
    ],
  ];
  for (const [crt, key, message] of cases) {
    const result = await runCli([
      "start-server",
      app("hello.wsgi"),
      ...["--port", "0", "--https-port", "0", "--server-name", "localhost"],
      ...["--ssl-certificate-file", crt, "--ssl-certificate-key-file", key],
      ...["--server-root", bad.path("root")],
    ]);
    assert.equal(result.status, 2, result.stderr);
    const lines = result.stderr.trim().split("\n");
    assert.equal(lines.length, 1, result.stderr);
    assert.match(lines[0] ?? "", message);
  }
  const unnamed = await runCli([
    "start-server",
    ...["--https-port", "0", "--ssl-certificate", bad.path("server")],
  ]);
  assert.equal(unnamed.status, 2);
  assert.match(unnamed.stderr, /--https-port: needs --server-name \(mod_wsgi-express silently/);
});
