/**
 * Slow and greedy clients (issue #7 item 3), proxy trust (item 5) and the daemon socket
 * (item 6), against the real server with small knob values. Assertions are on statuses
 * and on the connection being closed, never on tight timings.
 */
import assert from "node:assert/strict";
import { statSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import {
  app,
  eventually,
  request,
  runCli,
  startServer,
  type RunningServer,
  daemonOnly,
} from "./harness.js";
import { rawTalk } from "./raw-client.js";

const H = "Host: a\r\n";

describe("slow clients", () => {
  let server: RunningServer;
  before(async () => {
    server = await startServer([
      app("hostile_responses.wsgi"),
      "--threads",
      "1",
      "--header-timeout",
      "1",
      "--header-max-timeout",
      "2",
      "--header-min-rate",
      "0",
      "--body-timeout",
      "1",
      "--body-min-rate",
      "0",
      "--response-socket-timeout",
      "1",
      "--response-buffer-size",
      "65536",
      // Spooled up to 100 KB: past it a body streams, so each way can be stalled below.
      "--body-spool-size",
      "100000",
      "--keep-alive-timeout",
      "30",
      "--log-level",
      "info",
    ]);
  });
  after(async () => {
    await server.stop();
  });

  test("a head that stops arriving gets 408 and a close; an empty connection just a close", async () => {
    const [partial, silent] = await Promise.all([
      rawTalk(server.port, "GET / HTTP/1.1\r\nHost: a\r\nX-Slow: ", { quietMs: 8000 }),
      rawTalk(server.port, "", { quietMs: 8000 }),
    ]);
    assert.equal(partial.closed, true);
    assert.match(partial.text, /^HTTP\/1\.1 408 /);
    assert.match(partial.text, /Connection: close/);
    assert.equal(silent.closed, true);
    assert.equal(silent.text, "");
  });

  test("a head trickling in without earning time (--header-min-rate 0) is cut too", async () => {
    const pieces = ["GET / HTTP/1.1\r\n", ...Array.from({ length: 12 }, (_, i) => `X-${i}: y\r\n`)];
    const result = await rawTalk(server.port, pieces, { gapMs: 400, quietMs: 8000 });
    assert.equal(result.closed, true);
    assert.match(result.text, /^HTTP\/1\.1 408 /);
  });

  test("a body that stops arriving gets 408 and a close: read ahead, spooled or streamed", async () => {
    const stall = (length: number) =>
      rawTalk(
        server.port,
        `POST /echo HTTP/1.1\r\n${H}Content-Length: ${length}\r\n\r\n0123456789`,
        {
          quietMs: 8000,
        },
      );
    const results = await Promise.all([stall(100), stall(90_000), stall(1_000_000)]);
    for (const result of results) {
      assert.equal(result.closed, true);
      assert.match(result.text, /^HTTP\/1\.1 408 /);
    }
  });

  test("idle and slow connections do not count against --max-clients", async () => {
    // --threads 1: max-clients is 20. Hold 40 idle and 10 half-sent connections open.
    const held: Socket[] = [];
    for (let i = 0; i < 50; i += 1) {
      const socket = connect(server.port, "127.0.0.1");
      socket.on("error", () => undefined);
      if (i >= 40) socket.write("GET / HTTP/1.1\r\n");
      held.push(socket);
    }
    try {
      const res = await request(`${server.url}hello`);
      assert.equal(res.status, 200);
    } finally {
      for (const socket of held) socket.destroy();
    }
  });

  test("a client that never reads its response is cut off; the server goes on", async () => {
    const socket = connect(server.port, "127.0.0.1");
    socket.on("error", () => undefined);
    socket.write(`GET /big HTTP/1.1\r\n${H}\r\n`);
    socket.pause();
    try {
      await eventually(server.errorLog, (log) => /read nothing of its response/.test(log), 20_000);
    } finally {
      socket.destroy();
    }
    const res = await request(`${server.url}hello`);
    assert.equal(res.status, 200);
  });
});

describe("proxy trust", () => {
  let trusted: RunningServer;
  let untrusted: RunningServer;
  const headers = {
    "X-Forwarded-For": "203.0.113.9",
    "X-Real-IP": "6.6.6.6",
    "X-Forwarded-Proto": "https",
    "X-Forwarded-Host": "public.example",
  };
  const trustArgs = (proxy: string): string[] => [
    app("hostile_responses.wsgi"),
    "--trust-proxy-header",
    "X-Forwarded-For",
    "--trust-proxy-header",
    "X-Forwarded-Proto",
    "--trust-proxy-header",
    "X-Forwarded-Host",
    "--trust-proxy",
    proxy,
  ];
  before(async () => {
    [trusted, untrusted] = await Promise.all([
      startServer(trustArgs("127.0.0.0/8")),
      startServer(trustArgs("10.9.9.9")),
    ]);
  });
  after(async () => {
    await Promise.all([trusted.stop(), untrusted.stop()]);
  });

  test("a trusted proxy's headers rewrite REMOTE_ADDR, the scheme and the host", async () => {
    const res = await request(`${trusted.url}environ`, { headers });
    const environ = JSON.parse(res.body.toString()) as Record<string, string>;
    assert.equal(environ.REMOTE_ADDR, "203.0.113.9");
    assert.equal(environ["wsgi.url_scheme"], "https");
    assert.equal(environ.HTTP_HOST, "public.example");
    assert.equal(environ.HTTP_X_REAL_IP, undefined);
  });

  test("from any other peer the forwarded headers are removed before the app", async () => {
    const res = await request(`${untrusted.url}environ`, { headers });
    const environ = JSON.parse(res.body.toString()) as Record<string, string>;
    assert.equal(environ.REMOTE_ADDR, "127.0.0.1");
    assert.equal(environ["wsgi.url_scheme"], "http");
    for (const key of [
      "HTTP_X_FORWARDED_FOR",
      "HTTP_X_REAL_IP",
      "HTTP_X_FORWARDED_PROTO",
      "HTTP_X_FORWARDED_HOST",
    ]) {
      assert.equal(environ[key], undefined, key);
    }
  });

  test(
    "a rogue process on the daemon socket is refused; the socket directory is private",
    daemonOnly("embedded mode has no daemon socket"),
    async () => {
      const directory = join(trusted.serverRoot, "sockets");
      assert.equal(statSync(directory).mode & 0o777, 0o700);
      const rogue = connect(join(directory, "daemon.sock"));
      rogue.on("error", () => undefined);
      const hello = Buffer.from(
        JSON.stringify({ protocol: 2, token: "guess", pid: 1, role: "worker", thread: 0 }),
      );
      const frame = Buffer.alloc(5);
      frame.writeUInt8(0x01, 0);
      frame.writeUInt32BE(hello.length, 1);
      rogue.write(Buffer.concat([frame, hello, Buffer.from("\x22\xff\xff\xff\xffjunk")]));
      await new Promise((resolve) => rogue.once("close", resolve));
      const res = await request(`${trusted.url}hello`);
      assert.equal(res.status, 200);
    },
  );

  test("trusting headers without naming a proxy is refused at start-up", async () => {
    const result = await runCli([
      "start-server",
      app("hello.wsgi"),
      "--trust-proxy-header",
      "X-Forwarded-For",
    ]);
    assert.equal(result.status, 2);
    assert.match(result.stderr, /--trust-proxy-header: expected at least one --trust-proxy/);
    assert.doesNotMatch(result.stderr, /\n\s+at /);
    const bad = await runCli(["start-server", app("hello.wsgi"), "--trust-proxy", "10.0.0.0/33"]);
    assert.equal(bad.status, 2);
  });
});
