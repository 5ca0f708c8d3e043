import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { connect as netConnect } from "node:net";
import { join } from "node:path";
import { connect, type ClientHttp2Session } from "node:http2";
import { promisify } from "node:util";
import { app, eventually, request, startServer } from "./harness.js";
import { h2Request } from "./h2-helpers.js";
import { rawTalk } from "./raw-client.js";

const run = promisify(execFile);

type Environ = Record<string, unknown>;

/** A prior-knowledge session to http://127.0.0.1:PORT, once the server's SETTINGS came. */
function h2cSession(port: number): Promise<ClientHttp2Session> {
  return new Promise((resolve, reject) => {
    const session = connect(`http://127.0.0.1:${port}`);
    session.once("error", reject);
    session.once("remoteSettings", () => {
      session.off("error", reject);
      resolve(session);
    });
  });
}

test("--http2 without --https-port: h2c by prior knowledge and HTTP/1.1 on the same port", async (t) => {
  const server = await startServer([app("environ.wsgi"), "--http2", "--access-log"]);
  t.after(() => server.stop());
  const session = await h2cSession(server.port);
  t.after(() => {
    session.close();
  });
  // The same limits as h2 over TLS (h2-server.ts).
  assert.equal(session.remoteSettings.maxConcurrentStreams, 100);
  assert.equal(session.remoteSettings.enablePush, false);
  const [first, second] = await Promise.all([
    h2Request(session, "/one?x=1", { headers: { "x-probe": "h2c" } }),
    h2Request(session, "/two"),
  ]);
  assert.equal(first.status, 200, first.body.toString());
  const environ = JSON.parse(first.body.toString()) as Environ;
  assert.equal(environ.SERVER_PROTOCOL, "HTTP/2.0");
  assert.equal(environ["wsgi.url_scheme"], "http");
  assert.equal(environ.HTTPS, undefined);
  assert.equal(environ.HTTP_HOST, `127.0.0.1:${server.port}`);
  assert.equal(environ.SERVER_PORT, String(server.port));
  assert.equal(environ.HTTP_X_PROBE, "h2c");
  assert.equal(environ.PATH_INFO, "/one");
  assert.equal(environ.QUERY_STRING, "x=1");
  assert.equal(environ.REMOTE_ADDR, "127.0.0.1");
  assert.notEqual(environ["mod_wsgi.connection_id"], "0");
  assert.equal(second.status, 200);
  // An HTTP/1.1 client on the same port while the h2c session is open.
  const h1 = await request(`${server.url}h1`);
  assert.equal(h1.status, 200);
  assert.equal((JSON.parse(h1.body.toString()) as Environ).SERVER_PROTOCOL, "HTTP/1.1");
  // curl with prior knowledge, and curl's Upgrade: h2c, which is answered over HTTP/1.1.
  const curl = async (flag: string, path: string): Promise<[Environ, string]> => {
    const { stdout } = await run("curl", [
      "-sS",
      flag,
      "-w",
      "\\n%{http_version}",
      server.url + path,
    ]);
    const [body = "", version = ""] = stdout.split("\n");
    return [JSON.parse(body) as Environ, version];
  };
  const [prior, priorVersion] = await curl("--http2-prior-knowledge", "curl-pk");
  assert.equal(priorVersion, "2");
  assert.equal(prior.SERVER_PROTOCOL, "HTTP/2.0");
  const [upgraded, upgradedVersion] = await curl("--http2", "curl-upgrade");
  assert.equal(upgradedVersion, "1.1");
  assert.equal(upgraded.SERVER_PROTOCOL, "HTTP/1.1");
  // One access log, the client's address on every line, %H HTTP/2.0 for h2c.
  const log = join(server.serverRoot, "access_log");
  const lines = await eventually(
    () => (existsSync(log) ? readFileSync(log, "utf8") : ""),
    (text) => text.split("\n").filter(Boolean).length >= 5,
  );
  for (const [path, protocol] of [
    ["/one?x=1", "HTTP/2.0"],
    ["/two", "HTTP/2.0"],
    ["/h1", "HTTP/1.1"],
    ["/curl-pk", "HTTP/2.0"],
    ["/curl-upgrade", "HTTP/1.1"],
  ]) {
    const line = lines.split("\n").find((entry) => entry.includes(`"GET ${path} `));
    assert.match(line ?? "", new RegExp(`^127\\.0\\.0\\.1 .*"GET \\S+ ${protocol}" 200 `), path);
  }
});

test("h2c: a preface split over several writes, an HTTP/1.1 head cut short, and silence", async (t) => {
  const server = await startServer([app("hello.wsgi"), "--http2", "--header-timeout", "1"]);
  t.after(() => server.stop());
  // The preface in three pieces, then an empty SETTINGS frame: the server's SETTINGS
  // (frame type 4 on stream 0) comes back.
  const settings = Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0]);
  const answer = await new Promise<Buffer>((resolve, reject) => {
    const socket = netConnect(server.port, "127.0.0.1");
    socket.on("error", reject);
    socket.once("data", (data: Buffer) => {
      socket.destroy();
      resolve(data);
    });
    const pieces = ["PRI * HT", "TP/2.0\r\n\r\nS", "M\r\n\r\n"];
    let index = 0;
    const next = (): void => {
      const piece = pieces[index++];
      socket.write(piece ?? settings);
      if (piece !== undefined) setTimeout(next, 100);
    };
    next();
  });
  assert.equal(answer[3], 4, "a SETTINGS frame");
  assert.equal(answer.readUInt32BE(5), 0);
  // A head that stops half-way is still 408, timed from the connection's start.
  const partial = await rawTalk(server.port, "GET / HTTP/1.1\r\nHost: x\r\n", { quietMs: 10_000 });
  assert.match(partial.text, /^HTTP\/1\.1 408 /);
  assert.ok(partial.closed);
  // So are a preface cut short and a connection that says nothing: closed.
  for (const bytes of ["PRI * HTTP/2", ""]) {
    const silent = await rawTalk(server.port, bytes, { quietMs: 10_000 });
    assert.equal(silent.text, "");
    assert.ok(silent.closed, JSON.stringify(bytes));
  }
  // The server still serves both protocols after all that.
  const session = await h2cSession(server.port);
  const hello = await h2Request(session, "/");
  session.close();
  assert.equal(hello.status, 200);
  assert.equal((await request(server.url)).status, 200);
});

test("h2c: stopping the server closes an open session and the server exits", async () => {
  const server = await startServer([app("hello.wsgi"), "--http2"]);
  const session = await h2cSession(server.port);
  const closed = new Promise((resolve) => session.once("close", resolve));
  session.on("error", () => undefined);
  assert.equal((await h2Request(session, "/")).status, 200);
  assert.equal(await server.stop(), 0);
  await closed;
});
