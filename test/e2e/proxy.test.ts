import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { get as httpGet, request as httpRequest } from "node:http";
import { join } from "node:path";
import { WebSocket } from "ws";
import { app, eventually, request, startServer, tempDir, type RunningServer } from "./harness.js";
import { closedPort, startBackend, type Backend, type Seen } from "./proxy-backends.js";

interface Site {
  readonly server: RunningServer;
  readonly tcp: Backend;
  readonly unix: Backend;
  readonly dead: number;
}

/** One server with every kind of route, and its back ends. */
async function startSite(
  t: { after: (fn: () => Promise<unknown>) => void },
  proxyTimeout = 30,
): Promise<Site> {
  const tcp = await startBackend();
  t.after(() => tcp.close());
  const dir = tempDir();
  const unix = await startBackend(join(dir, "backend.sock"));
  t.after(() => unix.close());
  const dead = await closedPort();
  const docs = join(dir, "htdocs");
  mkdirSync(join(docs, "api"), { recursive: true });
  writeFileSync(join(docs, "api", "x.txt"), "document root\n");
  writeFileSync(join(docs, "page.txt"), "document root page\n");
  mkdirSync(join(dir, "alias"));
  writeFileSync(join(dir, "alias", "file.txt"), "aliased\n");
  const base = `http://127.0.0.1:${tcp.port}`;
  const server = await startServer([
    app("hello.wsgi"),
    ...["--document-root", docs, "--url-alias", "/static", join(dir, "alias")],
    ...["--proxy-mount-point", "/api", `${base}/v1/`],
    ...["--proxy-mount-point", "/api/deep/", base],
    ...["--proxy-url-alias", "/sock", `unix:${join(dir, "backend.sock")}|http://localhost/u`],
    ...["--proxy-mount-point", "/static/api", `${base}/s`],
    ...["--proxy-mount-point", "/ws", base],
    ...["--proxy-mount-point", "/dead", `http://127.0.0.1:${dead}/`],
    ...["--proxy-virtual-host", "api.test", `${base}/vh`],
    ...["--proxy-mount-point", "/nosock", `unix:${join(dir, "none.sock")}|http://localhost`],
    ...["--proxy-timeout", String(proxyTimeout), "--access-log"],
  ]);
  t.after(() => server.stop());
  return { server, tcp, unix, dead };
}

/** GETs `url`, reading until the connection is done. */
function partial(url: string): Promise<{ bytes: number; complete: boolean }> {
  return new Promise((resolve, reject) => {
    httpGet(url, { agent: false }, (res) => {
      let bytes = 0;
      res.on("data", (chunk: Buffer) => (bytes += chunk.length));
      res.on("error", () => undefined);
      res.on("close", () => {
        resolve({ bytes, complete: res.complete });
      });
    }).on("error", reject);
  });
}

function json(body: Buffer): Seen {
  return JSON.parse(body.toString()) as Seen;
}

test("mount points: every URL shape, precedence, forwarded fields, the 302", async (t) => {
  const { server, tcp, unix } = await startSite(t);
  const origin = `127.0.0.1:${server.port}`;
  const api = await request(`${server.url}api/a/b?c=1`, {
    headers: {
      "X-Forwarded-For": "9.9.9.9",
      Connection: "keep-alive, X-Hop",
      "X-Hop": "1",
      "X-Forwarded-Prefix": "/forged",
    },
  });
  assert.equal(api.status, 200);
  const seen = json(api.body);
  assert.equal(seen.url, "/v1/a/b?c=1");
  assert.equal(seen.headers.host, `127.0.0.1:${tcp.port}`);
  assert.equal(seen.headers["x-forwarded-for"], "9.9.9.9, 127.0.0.1");
  assert.equal(seen.headers["x-forwarded-host"], origin);
  assert.equal(seen.headers["x-forwarded-server"], "127.0.0.1");
  assert.equal(seen.headers["x-forwarded-port"], String(server.port));
  assert.equal(seen.headers["x-forwarded-prefix"], "/api");
  assert.equal(seen.headers["x-forwarded-scheme"], undefined);
  assert.equal(seen.headers["x-hop"], undefined);
  // The response: Set-Cookie as written, the back end's hop-by-hop fields gone.
  assert.deepEqual(api.headers["set-cookie"], ["a=1; Path=/v1", "b=2; Path=/"]);
  assert.equal(api.headers["x-back-hop"], undefined);

  const bare = await request(`${server.url}api?q=1`);
  assert.equal(bare.status, 302);
  assert.equal(bare.headers.location, `http://${origin}/api/?q=1`);
  const deepBare = await request(`${server.url}api/deep`);
  assert.equal(deepBare.headers.location, `http://${origin}/api/deep/`);
  // A mount point given with its slash, to a URL with no path: the longest wins.
  assert.equal(json((await request(`${server.url}api/deep/z`)).body).url, "/z");
  // A Unix socket back end, Apache's form; Host is the URL's.
  const viaSocket = json((await request(`${server.url}sock/q?r`)).body);
  assert.deepEqual([viaSocket.url, viaSocket.headers.host], ["/u/q?r", "localhost"]);
  assert.equal(unix.seen.length, 1);
  // Precedence: a mount point beats the document root, a URL alias and the app.
  assert.equal(json((await request(`${server.url}api/x.txt`)).body).url, "/v1/x.txt");
  assert.equal(json((await request(`${server.url}static/api/x`)).body).url, "/s/x");
  assert.equal((await request(`${server.url}static/file.txt`)).body.toString(), "aliased\n");
  assert.equal((await request(`${server.url}page.txt`)).body.toString(), "document root page\n");
  assert.equal((await request(`${server.url}other`)).body.toString(), "Hello World!");
  // ProxyPassReverse: the back end's own URL in Location becomes ours.
  const moved = await request(`${server.url}api/redirect`);
  assert.equal(moved.headers.location, `http://${origin}/api/next?x=1`);
  // A chunked body passes without --chunked-request (mod_proxy takes it).
  const posted = await request(`${server.url}api/post`, {
    method: "POST",
    headers: { "Transfer-Encoding": "chunked" },
    body: "x".repeat(5000),
  });
  assert.equal(json(posted.body).bodyBytes, 5000);
  const log = await eventually(
    () => readFileSync(join(server.serverRoot, "access_log"), "utf8"),
    (text) => text.includes('"GET /api/a/b?c=1 HTTP/1.1" 200'),
  );
  assert.match(log, /"GET \/sock\/q\?r HTTP\/1.1" 200 \d+/);
});

test("virtual hosts, keep-alive reuse, 502 and 504 logged once each, a cut response", async (t) => {
  const { server, tcp, dead } = await startSite(t, 2);
  const vh = json((await request(`${server.url}any/path`, { headers: { Host: "API.test" } })).body);
  assert.equal(vh.url, "/vh/any/path");
  assert.equal(vh.headers["x-forwarded-host"], "API.test");
  assert.equal(vh.headers["x-forwarded-prefix"], undefined);
  // Five requests one after another travel one pooled connection to the back end.
  const before = tcp.seen.length;
  for (let i = 0; i < 5; i++) await request(`${server.url}api/pool/${i}`);
  const ports = new Set(tcp.seen.slice(before).map((seen) => seen.remotePort));
  assert.equal(ports.size, 1);

  const refused = await request(`${server.url}dead/x`);
  assert.equal(refused.status, 502);
  const slow = await request(`${server.url}api/hang`);
  assert.equal(slow.status, 504);
  assert.equal((await request(`${server.url}nosock/x`)).status, 502);
  const log = await eventually(server.errorLog, (text) => text.includes("(ENOENT)"));
  const lines = log.split("\n");
  const line502 = `proxy /dead -> http://127.0.0.1:${dead}/: cannot connect (ECONNREFUSED); answered 502`;
  assert.equal(lines.filter((line) => line.endsWith(line502)).length, 1, log);
  const line504 = `proxy /api -> http://127.0.0.1:${tcp.port}/v1/: no response within --proxy-timeout (2 s); answered 504`;
  assert.equal(lines.filter((line) => line.endsWith(line504)).length, 1, log);

  // The back end closes after 10 of 100 bytes: the client sees the response cut short.
  // The back end closes after 10 of 100 bytes, or stays silent after them for
  // --proxy-timeout: either way the client sees the response cut short.
  assert.deepEqual(await partial(`${server.url}api/cut`), { bytes: 10, complete: false });
  assert.deepEqual(await partial(`${server.url}api/stall`), { bytes: 10, complete: false });
  await eventually(server.errorLog, (text) => text.includes("mid-response; cut off"));
  // A tunnel silent both ways for --proxy-timeout is closed.
  const idle = new WebSocket(`ws://127.0.0.1:${server.port}/ws/idle`);
  const idleClosed = new Promise((resolve) => idle.on("close", resolve));
  await new Promise((resolve, reject) => {
    idle.on("open", resolve);
    idle.on("error", reject);
  });
  await idleClosed;

  // Expect: 100-continue is answered by the front end, then the body streams on.
  const continued = await new Promise<{ interim: boolean; seen: Seen }>((resolve, reject) => {
    let interim = false;
    const req = httpRequest(`${server.url}api/expect`, {
      method: "PUT",
      agent: false,
      headers: { Expect: "100-continue", "Content-Length": "3" },
    });
    req.on("continue", () => {
      interim = true;
      req.end("abc");
    });
    req.on("response", (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => {
        resolve({ interim, seen: json(Buffer.concat(chunks)) });
      });
    });
    req.on("error", reject);
  });
  assert.equal(continued.interim, true);
  assert.equal(continued.seen.bodyBytes, 3);
  assert.equal(continued.seen.headers.expect, undefined);
  // A chunked body past --limit-request-body (10 MiB by default): 413.
  const tooBig = await request(`${server.url}api/post`, {
    method: "POST",
    headers: { "Transfer-Encoding": "chunked" },
    body: Buffer.alloc(10 * 1024 * 1024 + 1),
  });
  assert.equal(tooBig.status, 413);
});

test("WebSocket: text and binary echoed through the proxy; a refused upgrade relayed", async (t) => {
  const { server, tcp } = await startSite(t);
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws/chat`);
  const echoes: { data: Buffer; binary: boolean }[] = [];
  const closed = new Promise<number>((resolve, reject) => {
    ws.on("open", () => {
      ws.send("hello");
      ws.send(Buffer.from([0, 1, 2, 255]));
    });
    ws.on("message", (data: Buffer, binary) => {
      echoes.push({ data, binary });
      if (echoes.length === 2) ws.close(1000, "done");
    });
    ws.on("close", (code) => {
      resolve(code);
    });
    ws.on("error", reject);
  });
  assert.equal(await closed, 1000);
  assert.deepEqual(echoes, [
    { data: Buffer.from("hello"), binary: false },
    { data: Buffer.from([0, 1, 2, 255]), binary: true },
  ]);
  const upgrade = tcp.seen.find((seen) => seen.url === "/chat");
  assert.equal(upgrade?.headers["x-forwarded-prefix"], "/ws");
  assert.equal(upgrade.headers.upgrade, "websocket");
  const log = await eventually(
    () => readFileSync(join(server.serverRoot, "access_log"), "utf8"),
    (text) => text.includes('"GET /ws/chat HTTP/1.1" 101'),
  );
  assert.match(log, /"GET \/ws\/chat HTTP\/1.1" 101 \d+/);

  // The back end answers the upgrade 403: the client gets that answer, body and all.
  const refused = await new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = httpRequest(`${server.url}ws/ws-refuse`, {
      agent: false,
      headers: { Connection: "Upgrade", Upgrade: "websocket", "Sec-WebSocket-Version": "13" },
    });
    req.on("response", (res) => {
      let body = "";
      res.on("data", (chunk: Buffer) => (body += chunk.toString()));
      res.on("end", () => {
        resolve({ status: res.statusCode ?? 0, body });
      });
    });
    req.on("upgrade", () => {
      reject(new Error("upgraded"));
    });
    req.on("error", reject);
    req.end();
  });
  assert.deepEqual(refused, { status: 403, body: "refused" });
  // An upgrade request the proxy does not take is the app's, served as usual.
  const plain = await request(`${server.url}hi`, {
    headers: { Connection: "Upgrade", Upgrade: "h2c" },
  });
  assert.deepEqual([plain.status, plain.body.toString()], [200, "Hello World!"]);

  // Tunnels that closed cleanly and a refused upgrade are no failures.
  assert.doesNotMatch(server.errorLog(), /proxy \/ws/);
  // A tunnel open at shutdown is ended, and the server exits.
  const open = new WebSocket(`ws://127.0.0.1:${server.port}/ws/late`);
  await new Promise((resolve, reject) => {
    open.on("open", resolve);
    open.on("error", reject);
  });
  const ended = new Promise((resolve) => open.on("close", resolve));
  assert.equal(await server.stop(), 0);
  await ended;
});
