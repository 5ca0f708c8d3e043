import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { constants } from "node:http2";
import { promisify } from "node:util";
import { gunzipSync } from "node:zlib";
import { app, eventually, startServer, tempDir } from "./harness.js";
import { h2Get, h2Request, h2Session } from "./h2-helpers.js";
import { httpsArgs, httpsGet, httpsPort, makeCertificates } from "./tls-helpers.js";

const run = promisify(execFile);
const certs = makeCertificates();

type Environ = Record<string, unknown>;

test("--http2: h2 by ALPN; the app sees HTTP/2.0 and no pseudo-header", async (t) => {
  const server = await startServer([
    app("environ.wsgi"),
    ...httpsArgs(certs, "--http2", "--ssl-environment"),
  ]);
  t.after(() => server.stop());
  const port = httpsPort(server);
  const response = await h2Get(port, certs.ca, "/x?y=1", { headers: { "x-probe": "1" } });
  assert.equal(response.status, 200, response.body.toString());
  const environ = JSON.parse(response.body.toString()) as Environ;
  assert.equal(environ.SERVER_PROTOCOL, "HTTP/2.0");
  // node's client sends no Host: it comes from :authority.
  assert.equal(environ.HTTP_HOST, `localhost:${port}`);
  assert.equal(environ.SERVER_NAME, "localhost");
  assert.equal(environ.SERVER_PORT, String(port));
  assert.equal(environ.HTTP_X_PROBE, "1");
  assert.equal(environ["wsgi.url_scheme"], "https");
  assert.equal(environ.HTTPS, "1");
  assert.equal(environ.REQUEST_URI, "/x?y=1");
  assert.equal(environ.PATH_INFO, "/x");
  assert.equal(environ.QUERY_STRING, "y=1");
  assert.notEqual(environ["mod_wsgi.connection_id"], "0");
  // mod_ssl's variables read the session's TLS socket through the stream's proxy.
  assert.equal(environ.SSL_PROTOCOL, "TLSv1.3");
  assert.equal(environ.SSL_TLS_SNI, "localhost");
  const odd = Object.keys(environ).filter((key) => key.includes(":") || key.startsWith("HTTP__"));
  assert.deepEqual(odd, []);
  // No connection-specific header reached the client (node's client would refuse it).
  assert.equal(response.headers.connection, undefined);
  // An HTTP/1.1 client on the same port (no h2 in its ALPN) is still served.
  const h1 = await httpsGet(port, { ca: certs.ca, path: "/h1" });
  assert.equal(h1.status, 200);
  const h1Environ = JSON.parse(h1.body.toString()) as Environ;
  assert.equal(h1Environ.SERVER_PROTOCOL, "HTTP/1.1");
  assert.equal(h1Environ.PATH_INFO, "/h1");
  // curl, built with nghttp2 (`curl -V` lists HTTP2), negotiates h2 as well.
  const { stdout } = await run("curl", [
    ...["-sS", "--http2", "--cacert", certs.path("ca.crt")],
    ...["--resolve", `localhost:${port}:127.0.0.1`, "-w", "\\n%{http_version}"],
    `https://localhost:${port}/curl`,
  ]);
  const [body = "", version] = stdout.split("\n");
  assert.equal(version, "2");
  assert.equal((JSON.parse(body) as Environ).SERVER_PROTOCOL, "HTTP/2.0");
});

test("--http2: a body echoed while it is still being sent, and a large streamed response", async (t) => {
  const server = await startServer([
    app("stream_echo.wsgi"),
    ...httpsArgs(certs, "--http2", "--chunked-request", "--body-spool-size", "0"),
  ]);
  t.after(() => server.stop());
  const port = httpsPort(server);
  const session = await h2Session(port, certs.ca);
  t.after(() => {
    session.close();
  });
  // No Content-Length: each 64 KiB piece is sent only once the one before came back.
  const stream = session.request({ ":method": "POST", ":path": "/" });
  const piece = 65536;
  const rounds = 4;
  let received = 0;
  let sent = 1;
  stream.write(Buffer.alloc(piece, 97));
  const done = new Promise<number>((resolve, reject) => {
    stream.on("response", (head) => {
      if (head[":status"] !== 200) reject(new Error(`status ${String(head[":status"])}`));
    });
    stream.on("data", (chunk: Buffer) => {
      received += chunk.length;
      if (received === sent * piece) {
        if (sent === rounds) stream.end();
        else {
          sent += 1;
          stream.write(Buffer.alloc(piece, 97 + sent));
        }
      }
    });
    stream.on("end", () => {
      resolve(received);
    });
    stream.on("error", reject);
  });
  assert.equal(await done, rounds * piece);
});

test("--http2: a streamed download arrives whole and in order", async (t) => {
  const server = await startServer([app("streaming.wsgi"), ...httpsArgs(certs, "--http2")]);
  t.after(() => server.stop());
  const response = await h2Get(httpsPort(server), certs.ca, "/?chunks=64&size=65536&seed=3");
  assert.equal(response.status, 200);
  assert.equal(response.body.length, 64 * 65536);
  const row = (offset: number): number => offset % 256;
  for (let index = 0; index < 64; index += 1) {
    assert.equal(response.body[index * 65536], row(3 + index), `chunk ${index}`);
  }
});

test("--http2: static files, error pages and refusals answer on the stream alone", async (t) => {
  const root = tempDir("wsgi-express-h2-site-");
  mkdirSync(join(root, "docs"));
  writeFileSync(join(root, "docs", "file.txt"), "0123456789");
  const server = await startServer([
    app("hello.wsgi"),
    ...httpsArgs(certs, "--http2", "--document-root", join(root, "docs")),
    ...["--limit-request-body", "10", "--access-log"],
  ]);
  t.after(() => server.stop());
  const port = httpsPort(server);
  const session = await h2Session(port, certs.ca);
  t.after(() => {
    session.close();
  });
  const file = await h2Request(session, "/file.txt");
  assert.equal(file.status, 200);
  assert.equal(file.body.toString(), "0123456789");
  const range = await h2Request(session, "/file.txt", { headers: { range: "bytes=2-4" } });
  assert.equal(range.status, 206);
  assert.equal(range.body.toString(), "234");
  // Refused with Connection: close over HTTP/1.1; here only the stream ends.
  const tooBig = await h2Request(session, "/", {
    method: "POST",
    headers: { "content-length": "100" },
    body: Buffer.alloc(100),
  });
  assert.equal(tooBig.status, 413);
  // A Host that disagrees with :authority is malformed (RFC 9113 §8.3.1).
  const conflict = await h2Request(session, "/", {
    headers: { ":authority": `localhost:${port}`, host: "elsewhere" },
  });
  assert.equal(conflict.status, 400);
  // CONNECT is a proxy's business: 405 on its stream, as over HTTP/1.1.
  const connect = session.request({ ":method": "CONNECT", ":authority": "example.com:443" });
  connect.on("error", () => undefined);
  const connectStatus = await new Promise<number>((resolve) => {
    connect.once("response", (head) => {
      resolve(Number(head[":status"]));
    });
  });
  connect.destroy();
  assert.equal(connectStatus, 405);
  // The session still serves.
  const hello = await h2Request(session, "/");
  assert.equal(hello.status, 200);
  assert.equal(session.closed, false);
  // The access log names the protocol as mod_http2's requests do (%r, %H).
  const log = join(server.serverRoot, "access_log");
  const text = await eventually(
    () => (existsSync(log) ? readFileSync(log, "utf8") : ""),
    (content) => content.split("\n").length > 5,
  );
  assert.match(text, /"GET \/file\.txt HTTP\/2\.0" 200 10/);
  assert.match(text, /"POST \/ HTTP\/2\.0" 413 /);
  // Neither a reason phrase nor a connection header reached node's http2 layer.
  assert.doesNotMatch(server.stderr(), /UnsupportedWarning|ERR_HTTP2/);
});

test("--http2: a stream whose reader stalls is reset alone; the session serves on", async (t) => {
  const server = await startServer([
    app("streaming.wsgi"),
    ...httpsArgs(certs, "--http2", "--response-socket-timeout", "1", "--log-level", "info"),
  ]);
  t.after(() => server.stop());
  const session = await h2Session(httpsPort(server), certs.ca);
  t.after(() => {
    session.close();
  });
  // 16 MiB, never read: flow control stops it, and nothing moves for a second.
  const stalled = session.request({ ":path": "/?chunks=256&size=65536" });
  stalled.pause();
  const code = await new Promise<number>((resolve) => {
    stalled.on("error", () => undefined);
    stalled.once("close", () => {
      resolve(stalled.rstCode);
    });
  });
  assert.equal(code, constants.NGHTTP2_CANCEL);
  const next = await h2Request(session, "/?chunks=2&size=10");
  assert.equal(next.status, 200);
  assert.equal(next.body.length, 20);
  await eventually(server.errorLog, (log) => /--response-socket-timeout; cut off/.test(log));
});

test("--http2: a client certificate HTTP/2 cannot ask for sends the client to HTTP/1.1", async (t) => {
  const server = await startServer([
    app("hello.wsgi"),
    ...httpsArgs(certs, "--http2", "--ssl-ca-certificate-file", certs.path("ca.crt")),
    ...["--ssl-verify-client", "/secure"],
  ]);
  t.after(() => server.stop());
  // TLS 1.2: over HTTP/1.1 the server would renegotiate; HTTP/2 forbids it (RFC 9113 §9.2.1).
  const session = await h2Session(httpsPort(server), certs.ca, { maxVersion: "TLSv1.2" });
  t.after(() => {
    session.close();
  });
  const open = await h2Request(session, "/");
  assert.equal(open.status, 200);
  const secure = session.request({ ":path": "/secure/x" });
  secure.on("error", () => undefined);
  secure.resume();
  const code = await new Promise<number | undefined>((resolve) => {
    secure.once("close", () => {
      resolve(secure.rstCode);
    });
  });
  assert.equal(code, constants.NGHTTP2_HTTP_1_1_REQUIRED);
});

test("--http2: 100-continue, and a body that stalls gets 408 on its stream alone", async (t) => {
  const server = await startServer([
    app("echo.wsgi"),
    ...httpsArgs(certs, "--http2", "--body-timeout", "1"),
  ]);
  t.after(() => server.stop());
  const session = await h2Session(httpsPort(server), certs.ca);
  t.after(() => {
    session.close();
  });
  // The body is sent only once the server asked for it (the app read wsgi.input).
  const asking = session.request({
    ":method": "POST",
    ":path": "/",
    expect: "100-continue",
    "content-length": "5",
  });
  asking.once("continue", () => {
    asking.end("hello");
  });
  const echoed = await new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    asking.on("data", (chunk: Buffer) => chunks.push(chunk));
    asking.on("end", () => {
      resolve(Buffer.concat(chunks).toString());
    });
    asking.on("error", reject);
  });
  assert.equal(echoed, "hello");
  // 10 of 100 bytes, then nothing: --body-timeout answers 408 on that stream.
  const stalled = session.request({ ":method": "POST", ":path": "/", "content-length": "100" });
  stalled.write(Buffer.alloc(10));
  const status = await new Promise<number>((resolve, reject) => {
    stalled.once("response", (head) => {
      resolve(Number(head[":status"]));
    });
    stalled.on("error", reject);
  });
  assert.equal(status, 408);
  stalled.destroy();
  const next = await h2Request(session, "/", {
    method: "POST",
    headers: { "content-length": "5" },
    body: Buffer.from("again"),
  });
  assert.equal(next.body.toString(), "again");
  // Without Content-Length the body is chunked to the server, as under mod_http2: 411
  // unless --chunked-request.
  const unsized = await h2Request(session, "/", { method: "POST", body: Buffer.from("x") });
  assert.equal(unsized.status, 411);
});

test("--http2: --compress-responses and an --error-document page from the app", async (t) => {
  const server = await startServer([
    app("status.wsgi"),
    ...httpsArgs(certs, "--http2", "--compress-responses", "--error-override"),
    ...["--error-document", "404", "/custom404"],
  ]);
  t.after(() => server.stop());
  const session = await h2Session(httpsPort(server), certs.ca);
  t.after(() => {
    session.close();
  });
  const gzipped = await h2Request(session, "/?status=200", {
    headers: { "accept-encoding": "gzip" },
  });
  assert.equal(gzipped.headers["content-encoding"], "gzip");
  assert.match(gunzipSync(gzipped.body).toString(), /^app body 200 GET/);
  // The app's 404 is replaced by the page the app renders for /custom404.
  const page = await h2Request(session, "/?status=404");
  assert.equal(page.status, 404);
  assert.equal(page.headers["x-redirect-status"], "404");
});
