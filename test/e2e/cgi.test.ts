import { test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, readFileSync, writeFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { join } from "node:path";
import { app, eventually, request, startServer, tempDir } from "./harness.js";

/** A document root of shell CGI scripts; each is executable unless said otherwise. */
function cgiRoot(scripts: Record<string, string>, notExecutable: string[] = []): string {
  const root = tempDir("wsgi-express-cgi-");
  writeFileSync(join(root, "plain.txt"), "a plain file\n");
  for (const [name, body] of Object.entries(scripts)) {
    const path = join(root, name);
    writeFileSync(path, `#!/bin/sh\n${body}\n`);
    chmodSync(path, notExecutable.includes(name) ? 0o644 : 0o755);
  }
  return root;
}

const HEADER = String.raw`printf 'Content-Type: text/plain\r\n\r\n'`;

test("--with-cgi: RFC 3875's environment, the body on stdin, Status and redirects", async (t) => {
  const root = cgiRoot({
    "env.cgi": [
      String.raw`printf 'Content-Type: text/plain\r\nX-Script: yes\r\nX-Dup: a\r\nX-Dup: b\r\n'`,
      String.raw`printf 'Set-Cookie: a=1\r\nSet-Cookie: b=2\r\n\r\n'`,
      'echo "GI=$GATEWAY_INTERFACE M=$REQUEST_METHOD SN=$SCRIPT_NAME PI=$PATH_INFO"',
      'echo "PT=$PATH_TRANSLATED SF=$SCRIPT_FILENAME QS=$QUERY_STRING CL=$CONTENT_LENGTH"',
      'echo "HX=$HTTP_X_TEST PROXY=[$HTTP_PROXY] AUTH=[$HTTP_AUTHORIZATION] CWD=$(pwd)"',
      "cat",
    ].join("\n"),
    "status.cgi": "printf 'Status: 404 Gone Away\\nContent-Type: text/plain\\n\\nnot here\\n'",
    "away.cgi": "printf 'Location: http://example.com/elsewhere\\n\\n'",
    "local.cgi": "printf 'Location: /plain.txt\\n\\n'; echo discarded",
  });
  const server = await startServer([app("hello.wsgi"), "--document-root", root, "--with-cgi"]);
  t.after(() => server.stop());

  const reply = await request(`${server.url}env.cgi/more/path?a=1`, {
    method: "POST",
    headers: { "X-Test": "hi", Proxy: "http://evil:1", Authorization: "Basic eDp5" },
    body: "the request body",
  });
  assert.equal(reply.status, 200);
  assert.equal(reply.headers["x-script"], "yes");
  // Duplicates as Apache combines a script's: merged, but Set-Cookie lines kept apart.
  assert.equal(reply.headers["x-dup"], "a, b");
  assert.deepEqual(reply.headers["set-cookie"], ["a=1", "b=2"]);
  const text = reply.body.toString();
  assert.match(text, /^GI=CGI\/1\.1 M=POST SN=\/env\.cgi PI=\/more\/path$/m);
  const file = join(root, "env.cgi");
  assert.match(text, new RegExp(`^PT=${join(root, "more", "path")} SF=${file} QS=a=1 CL=16$`, "m"));
  assert.match(text, new RegExp(`^HX=hi PROXY=\\[\\] AUTH=\\[\\] CWD=${root}$`, "m"));
  assert.match(text, /the request body$/);

  const status = await request(`${server.url}status.cgi`);
  assert.equal(status.status, 404);
  assert.equal(status.body.toString(), "not here\n");
  const away = await request(`${server.url}away.cgi`);
  assert.equal(away.status, 302);
  assert.equal(away.headers.location, "http://example.com/elsewhere");
  // §6.2.2: a local path in Location is served in place of the script's response.
  const local = await request(`${server.url}local.cgi`);
  assert.equal(local.status, 200);
  assert.equal(local.body.toString(), "a plain file\n");
  // Without a handler, files are still files and the rest the application's.
  assert.equal((await request(`${server.url}nothing`)).body.toString(), "Hello World!");
});

test("--with-cgi: misbehaving scripts are a 500, 403 or 504 with a log line", async (t) => {
  const pidFile = join(tempDir(), "pid");
  const root = cgiRoot(
    {
      "noheader.cgi": "echo 'no header line here'",
      "silent.cgi": "exit 0",
      "stderr.cgi": `echo 'complaint on stderr' >&2\n${HEADER}\necho fine`,
      "hang.cgi": `echo $$ > ${pidFile}\nexec sleep 1000`,
      "stall.cgi": `${HEADER}\necho partial\nexec sleep 1000`,
      "noexec.cgi": HEADER,
    },
    ["noexec.cgi"],
  );
  const server = await startServer([
    app("hello.wsgi"),
    "--document-root",
    root,
    "--with-cgi",
    "--socket-timeout",
    "1",
  ]);
  t.after(() => server.stop());

  assert.equal((await request(`${server.url}noheader.cgi`)).status, 500);
  await eventually(server.errorLog, (log) =>
    /malformed header from script: 'no header line here': .*noheader\.cgi$/m.test(log),
  );
  assert.equal((await request(`${server.url}silent.cgi`)).status, 500);
  await eventually(server.errorLog, (log) =>
    /End of script output before headers: .*silent\.cgi$/m.test(log),
  );
  const stderr = await request(`${server.url}stderr.cgi`);
  assert.equal(stderr.body.toString(), "fine\n");
  await eventually(server.errorLog, (log) => /complaint on stderr: .*stderr\.cgi$/m.test(log));
  assert.equal((await request(`${server.url}noexec.cgi`)).status, 403);
  await eventually(server.errorLog, (log) =>
    /file permissions deny server execution: .*noexec\.cgi$/m.test(log),
  );

  // Never exits, never writes: killed once silent for --socket-timeout, and a 504.
  const hung = await request(`${server.url}hang.cgi`);
  assert.equal(hung.status, 504);
  await eventually(server.errorLog, (log) =>
    /Timeout waiting for output from CGI script .*hang\.cgi$/m.test(log),
  );
  // Silent after its headers: the response is cut short, never ended as if complete.
  const stalled = await new Promise<{ status: number; body: string; aborted: boolean }>(
    (resolve, reject) => {
      const req = httpRequest(`${server.url}stall.cgi`, { agent: false }, (res) => {
        let body = "";
        res.setEncoding("utf8").on("data", (text: string) => (body += text));
        res.on("aborted", () => {
          resolve({ status: res.statusCode ?? 0, body, aborted: true });
        });
        res.on("end", () => {
          resolve({ status: res.statusCode ?? 0, body, aborted: res.readableAborted });
        });
        res.on("error", () => undefined);
      });
      req.on("error", reject);
      req.end();
    },
  );
  assert.deepEqual(stalled, { status: 200, body: "partial\n", aborted: true });
  const pid = Number(readFileSync(pidFile, "utf8"));
  await eventually(
    () => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    },
    (alive) => !alive,
  );
});

/** The front end's resident memory, in bytes (Linux). */
function residentBytes(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return Number(match?.[1]) * 1024;
}

test("--with-cgi: a huge output is streamed with back-pressure, memory flat", async (t) => {
  const size = 256 * 1024 * 1024;
  const root = cgiRoot({
    "huge.cgi": `printf 'Content-Type: application/octet-stream\\r\\n\\r\\n'\nhead -c ${size} /dev/zero`,
  });
  const server = await startServer([app("hello.wsgi"), "--document-root", root, "--with-cgi"]);
  t.after(() => server.stop());
  const pid = server.child.pid ?? 0;
  const before = residentBytes(pid);
  let peak = before;
  const received = await new Promise<number>((resolve, reject) => {
    const req = httpRequest(`${server.url}huge.cgi`, { agent: false }, (res) => {
      let bytes = 0;
      let paused = false;
      res.on("data", (chunk: Buffer) => {
        bytes += chunk.length;
        if (!paused) {
          // The client stops reading for a while: a server without back-pressure
          // would now hold the script's output in memory.
          paused = true;
          res.pause();
          setTimeout(() => {
            peak = Math.max(peak, residentBytes(pid));
            res.resume();
          }, 1500);
        }
        if (bytes % (32 * 1024 * 1024) < chunk.length) peak = Math.max(peak, residentBytes(pid));
      });
      res.on("end", () => {
        resolve(bytes);
      });
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
  assert.equal(received, size);
  assert.ok(peak - before < 64 * 1024 * 1024, `grew by ${peak - before} bytes`);
});

test("--with-cgi: a chunked body past --limit-request-body is refused with 413", async (t) => {
  const root = cgiRoot({ "sink.cgi": `cat > /dev/null\n${HEADER}\necho read all` });
  const server = await startServer([
    app("hello.wsgi"),
    "--document-root",
    root,
    "--with-cgi",
    "--chunked-request",
    "--limit-request-body",
    "1000",
  ]);
  t.after(() => server.stop());
  const post = (size: number): Promise<{ status: number; body: string }> =>
    new Promise((resolve, reject) => {
      const req = httpRequest(
        `${server.url}sink.cgi`,
        { method: "POST", agent: false, headers: { "Transfer-Encoding": "chunked" } },
        (res) => {
          let body = "";
          res.setEncoding("utf8").on("data", (text: string) => (body += text));
          res.on("end", () => {
            resolve({ status: res.statusCode ?? 0, body });
          });
        },
      );
      req.on("error", reject);
      req.write("x".repeat(size / 2));
      req.end("y".repeat(size / 2));
    });
  assert.deepEqual(await post(800), { status: 200, body: "read all\n" });
  assert.equal((await post(4000)).status, 413);
  await eventually(server.errorLog, (log) => /request body larger than 1000 bytes/.test(log));
});

test("--with-cgi: a client that goes away mid-stream has its script stopped", async (t) => {
  const pidFile = join(tempDir(), "pid");
  const root = cgiRoot({
    "endless.cgi": `echo $$ > ${pidFile}\n${HEADER}\nexec cat /dev/zero`,
  });
  const server = await startServer([app("hello.wsgi"), "--document-root", root, "--with-cgi"]);
  t.after(() => server.stop());
  await new Promise<void>((resolve, reject) => {
    const req = httpRequest(`${server.url}endless.cgi`, { agent: false }, (res) => {
      res.once("data", () => {
        req.destroy();
        resolve();
      });
    });
    req.on("error", () => undefined);
    req.on("close", () => {
      resolve();
    });
    req.end();
    setTimeout(() => {
      reject(new Error("no response"));
    }, 20_000).unref();
  });
  const pid = Number(readFileSync(pidFile, "utf8"));
  await eventually(
    () => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    },
    (alive) => !alive,
  );
});
