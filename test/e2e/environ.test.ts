import { test } from "node:test";
import assert from "node:assert/strict";
import { app, rawExchange, request, startServer, MODE } from "./harness.js";

type Environ = Record<string, unknown>;

async function environOf(
  url: string,
  headers: Record<string, string | string[]> = {},
): Promise<Environ> {
  const response = await request(url, { headers });
  assert.equal(response.status, 200, response.body.toString());
  return JSON.parse(response.body.toString()) as Environ;
}

/** The environ the app got for a raw request (for header shapes node's client won't send). */
async function environOfRaw(port: number, head: string): Promise<Environ> {
  const reply = (await rawExchange(port, head, 5000)).toString("latin1");
  const body = reply.slice(reply.indexOf("\r\n\r\n") + 4);
  return JSON.parse(body) as Environ;
}

test("CGI keys: mount point split, raw query, decoded latin-1 path, request line", async (t) => {
  const server = await startServer([app("environ.wsgi"), "--mount-point", "/app"]);
  t.after(() => server.stop());
  const environ = await environOf(`${server.url}app/caf%C3%A9//x%20y?a=%41&b`);
  assert.equal(environ.SCRIPT_NAME, "/app");
  // PEP 3333: each byte of the decoded path is one latin-1 code point; `//` collapsed.
  assert.equal(environ.PATH_INFO, "/caf\u00c3\u00a9/x y");
  assert.equal(environ.QUERY_STRING, "a=%41&b");
  assert.equal(environ.REQUEST_URI, "/app/caf%C3%A9//x%20y?a=%41&b");
  assert.equal(environ.REQUEST_METHOD, "GET");
  assert.equal(environ.SERVER_PROTOCOL, "HTTP/1.1");
  assert.equal(environ.SERVER_NAME, "127.0.0.1");
  assert.equal(environ.SERVER_PORT, String(server.port));
  assert.equal(environ.REMOTE_ADDR, "127.0.0.1");
  assert.match(String(environ.REMOTE_PORT), /^\d+$/);
  assert.equal(environ["wsgi.url_scheme"], "http");
  assert.deepEqual(environ["wsgi.version"], [1, 0]);
  assert.equal(environ["wsgi.input_terminated"], true);
  assert.equal(environ["mod_wsgi.script_name"], "/app");
  assert.equal((await request(`${server.url}other`)).status, 404);
  // An encoded NUL never reaches the app: Apache answers 404 before any handler.
  assert.equal((await request(`${server.url}app/a%00b`)).status, 404);
  // The listener's constant keys come from the connection's ENVIRON_BASE, on every
  // request of every daemon thread, and each request still has its own keys.
  for (let i = 0; i < 12; i++) {
    const again = await environOf(`${server.url}app/n${String(i)}?i=${String(i)}`);
    assert.equal(again.PATH_INFO, `/n${String(i)}`);
    assert.equal(again.QUERY_STRING, `i=${String(i)}`);
    assert.equal(again["mod_wsgi.listener_port"], String(server.port));
    assert.equal(typeof again.DOCUMENT_ROOT, "string");
    assert.equal(again.SERVER_SOFTWARE, environ.SERVER_SOFTWARE);
  }
  // The bare mount point is mod_dir's DirectorySlash redirect, as under mod_wsgi-express
  // (test/e2e/wire-compat.test.ts has the rows).
  const bare = await request(`${server.url}app?q`);
  assert.equal(bare.status, 301);
  assert.equal(bare.headers.location, `http://127.0.0.1:${String(server.port)}/app/?q`);
});

test("headers: repeated ones joined, content keys without HTTP_, unsafe names and Proxy dropped", async (t) => {
  const server = await startServer([app("environ.wsgi")]);
  t.after(() => server.stop());
  const environ = await environOfRaw(
    server.port,
    "POST /h HTTP/1.1\r\nHost: example.com:8080\r\nX-Dup: a\r\nX-Dup: b\r\n" +
      "X_Forwarded_For: 6.6.6.6\r\nProxy: http://evil/\r\nAuthorization: Basic eDp5\r\n" +
      "Content-Type: text/plain\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
  );
  assert.equal(environ.HTTP_X_DUP, "a, b");
  assert.equal(environ.HTTP_HOST, "example.com:8080");
  assert.equal(environ.SERVER_NAME, "example.com");
  assert.equal(environ.SERVER_PORT, "8080");
  assert.equal(environ.CONTENT_TYPE, "text/plain");
  assert.equal(environ.CONTENT_LENGTH, "0");
  assert.equal(environ.HTTP_CONTENT_TYPE, undefined);
  assert.equal(environ.HTTP_X_FORWARDED_FOR, undefined);
  assert.equal(environ.HTTP_PROXY, undefined);
  // mod_wsgi-express always passes Authorization (WSGIPassAuthorization On).
  assert.equal(environ.HTTP_AUTHORIZATION, "Basic eDp5");
});

test("a #fragment and an absolute-form target never reach PATH_INFO", async (t) => {
  const server = await startServer([app("environ.wsgi")]);
  t.after(() => server.stop());
  const environ = await environOfRaw(
    server.port,
    "GET http://example.com/abs/path?q=1 HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\n\r\n",
  );
  assert.equal(environ.PATH_INFO, "/abs/path");
  assert.equal(environ.QUERY_STRING, "q=1");
  assert.equal(environ.HTTP_HOST, "example.com");
});

test("wsgi.multithread / multiprocess / run_once follow mod_wsgi's rules", async (t) => {
  const defaults = await startServer([app("environ.wsgi")]);
  t.after(() => defaults.stop());
  const a = await environOf(defaults.url);
  assert.equal(a["wsgi.multithread"], true);
  assert.equal(a["wsgi.multiprocess"], false);
  assert.equal(a["wsgi.run_once"], false);

  // --processes given at all (even 1) makes wsgi.multiprocess true.
  const single = await startServer([app("environ.wsgi"), "--processes", "1", "--threads", "1"]);
  t.after(() => single.stop());
  const b = await environOf(single.url);
  assert.equal(b["wsgi.multithread"], false);
  assert.equal(b["wsgi.multiprocess"], true);
});

test("--setenv and --passenv add keys to every request's environ, not os.environ", async (t) => {
  const server = await startServer(
    [app("environ.wsgi"), "--setenv", "SITE_MODE", "testing", "--passenv", "PASSED_IN"],
    { env: { ...process.env, PASSED_IN: "from-the-shell" } },
  );
  t.after(() => server.stop());
  const environ = await environOf(server.url);
  assert.equal(environ.SITE_MODE, "testing");
  assert.equal(environ.PASSED_IN, "from-the-shell");
});

test("the mod_wsgi module, process environment and sys.path the app sees", async (t) => {
  const server = await startServer([
    app("mod_wsgi_info.wsgi"),
    "--processes",
    "2",
    "--threads",
    "3",
  ]);
  t.after(() => server.stop());
  const info = JSON.parse((await request(server.url)).body.toString()) as {
    version: number[];
    process_group: string;
    application_group: string;
    maximum_processes: number;
    threads_per_process: number;
    module_name: string;
    environment: Record<string, string>;
    sys_path: string[];
    main_file: string | null;
  };
  // mod_wsgi: '' in embedded mode, where the app is in no daemon process group.
  assert.equal(info.process_group, MODE === "embedded" ? "" : "127.0.0.1:0");
  assert.equal(info.application_group, "");
  assert.equal(info.maximum_processes, 2);
  assert.equal(info.threads_per_process, 3);
  assert.ok(info.version.length >= 2);
  // mod_wsgi names a script's module after the md5 of its path.
  assert.match(info.module_name, /^_mod_wsgi_[0-9a-f]{32}$/);
  assert.equal(info.environment.MOD_WSGI_EXPRESS, "true");
  assert.equal(info.environment.WSGI_EXPRESS_DAEMON, undefined);
  // As under mod_wsgi, __main__ is an empty module, not the runtime's entry script.
  assert.equal(info.main_file, null);
  assert.ok(
    !info.sys_path.some((p) => p.endsWith("/python")),
    "the runtime's own directory leaked into sys.path",
  );
});
