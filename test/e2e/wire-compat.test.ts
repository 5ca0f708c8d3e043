/**
 * The wire, round two (issue #23): raw bytes in, statuses, connection state and the
 * environ out, compared with mod_wsgi-express (mod_wsgi 6, Apache 2.4). Each row says the
 * Apache behaviour it matches, or the deliberate difference (docs/http-compatibility.md).
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { MODE, app, eventually, startServer, type RunningServer } from "./harness.js";
import { rawTalk } from "./raw-client.js";

const H = "Host: a\r\n";
const C = "Connection: close\r\n";
const get = (target: string, headers = ""): string =>
  `GET ${target} HTTP/1.1\r\n${H}${headers}${C}\r\n`;

type Environ = Record<string, string>;
/** [name and the Apache behaviour, request bytes, statuses in order, connection left
 *  open, a check of the environ the app answered with] */
type Row = readonly [string, string, readonly number[], boolean, ((env: Environ) => void)?];

/** A request line of exactly `length` bytes (without CRLF). */
const lineOf = (length: number): string =>
  `GET /${"a".repeat(length - "GET / HTTP/1.1".length)} HTTP/1.1\r\n${H}${C}\r\n`;
const fields = (count: number): string =>
  `GET / HTTP/1.1\r\n${H}${C}${Array.from({ length: count - 2 }, (_, i) => `X-${i}: v\r\n`).join("")}\r\n`;
/** One `X: vvv` field line of exactly `length` bytes. */
const fieldOf = (length: number): string => get("/", `X: ${"v".repeat(length - 3)}\r\n`);

const security: Row[] = [
  [
    "1. Proxy-Authorization is dropped, Authorization passed (WSGIPassAuthorization On)",
    get("/", "Authorization: Basic dTpw\r\nProxy-Authorization: Basic cDpx\r\n"),
    [200],
    false,
    (env) => {
      assert.equal(env.HTTP_AUTHORIZATION, "Basic dTpw");
      assert.equal(env.HTTP_PROXY_AUTHORIZATION, undefined);
    },
  ],
  ["2. request line of 8190 bytes (LimitRequestLine)", lineOf(8190), [200], false],
  ["2. request line of 8191 bytes: 414 as Apache", lineOf(8191), [414], false],
  ["2. 100 header fields (LimitRequestFields)", fields(100), [200], false],
  ["2. 101 header fields: 431 (Apache: 400)", fields(101), [431], false],
  ["2. field line of 8190 bytes (LimitRequestFieldSize)", fieldOf(8190), [200], false],
  ["2. field line of 8191 bytes: 431 (Apache: 400)", fieldOf(8191), [431], false],
  [
    "3. userinfo in an absolute-form target: 400 as Apache",
    `GET http://user:pass@host/ HTTP/1.1\r\n${H}\r\n`,
    [400],
    false,
  ],
  [
    "4. a target that is no URI: 400 as Apache",
    `GET s://]ufd/: HTTP/1.1\r\n${H}\r\n`,
    [400],
    false,
  ],
  ["4. a relative target: 400 as Apache", `GET a/b HTTP/1.1\r\n${H}\r\n`, [400], false],
  ["4. another scheme: 400", `GET ftp://h/ HTTP/1.1\r\n${H}\r\n`, [400], false],
  ["5. HTTP/0.9 request line: 400 at once, closed, as Apache", "GET /path\r\n", [400], false],
];

const paths: Row[] = [
  [
    "6. /a/../env is /env (RFC 3986 §5.2.4, as Apache)",
    get("/a/../env?x=/../y"),
    [200],
    false,
    (env) => {
      assert.equal(env.PATH_INFO, "/env");
      assert.equal(env.QUERY_STRING, "x=/../y");
      assert.equal(env.REQUEST_URI, "/a/../env?x=/../y");
    },
  ],
  [
    "6. /./a is /a",
    get("/./a/."),
    [200],
    false,
    (env) => {
      assert.equal(env.PATH_INFO, "/a/");
    },
  ],
  [
    "6. encoded dots are dot segments (%2e%2e, as Apache)",
    get("/a/%2e%2E/b"),
    [200],
    false,
    (env) => {
      assert.equal(env.PATH_INFO, "/b");
    },
  ],
  ["6. climbing above the root: 400 as Apache", get("/a/../../b"), [400], false],
  ["6. a malformed escape: 400 as Apache's ap_unescape_url", get("/a%zz"), [400], false],
  ["7. %2F in the path: 404 as AllowEncodedSlashes Off", get("/a%2Fb"), [404], false],
  ["7. %2f in lower case: 404", get("/a%2fb"), [404], false],
  ["7. %2F in the query is the app's", get("/q?a%2Fb"), [200], false],
  [
    "10. SERVER_NAME lowercased as Apache; HTTP_HOST as sent",
    `GET / HTTP/1.1\r\nHost: ExAmple.COM:81\r\n${C}\r\n`,
    [200],
    false,
    (env) => {
      assert.equal(env.SERVER_NAME, "example.com");
      assert.equal(env.HTTP_HOST, "ExAmple.COM:81");
    },
  ],
  [
    "10. REQUEST_URI of an absolute-form target is the target as sent",
    `GET http://h:81/a/../env?q HTTP/1.1\r\n${H}${C}\r\n`,
    [200],
    false,
    (env) => {
      assert.equal(env.REQUEST_URI, "http://h:81/a/../env?q");
      assert.equal(env.PATH_INFO, "/env");
    },
  ],
];

const methods: Row[] = [
  [
    "8. OPTIONS * is the server's: 200, Allow, no body (ap_send_http_options)",
    `OPTIONS * HTTP/1.1\r\n${H}\r\nOPTIONS * HTTP/1.1\r\n${H}\r\n`,
    [200, 200],
    true,
  ],
  [
    "8. TRACE: 405 without --trace-enable (TraceEnable Off), never the app's",
    `TRACE / HTTP/1.1\r\n${H}${C}\r\n`,
    [405],
    false,
  ],
  ["8. CONNECT: 405 (no mod_proxy)", `CONNECT a:443 HTTP/1.1\r\n${H}\r\n`, [405], false],
  [
    "8. an unknown method node cannot parse: 501 (Apache would hand it to the app)",
    `BREW /pot HTTP/1.1\r\n${H}\r\n`,
    [501],
    false,
  ],
  ["8. a lowercase method: 501 (Apache: the app's)", `get / HTTP/1.1\r\n${H}\r\n`, [501], false],
  ["8. HTTP/1.2: 505 (Apache serves it as 1.1)", `GET / HTTP/1.2\r\n${H}\r\n`, [505], false],
  [
    "8. raw UTF-8 in the path: 400 (Apache: served)",
    `GET /\xc3\xa9 HTTP/1.1\r\n${H}\r\n`,
    [400],
    false,
  ],
  [
    "8. PROPFIND, a method node knows, is the app's as under Apache",
    `PROPFIND / HTTP/1.1\r\n${H}${C}\r\n`,
    [200],
    false,
    (env) => {
      assert.equal(env.REQUEST_METHOD, "PROPFIND");
    },
  ],
  [
    "12. chunked body without --chunked-request: 411 as mod_wsgi-express",
    `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n`,
    [411],
    false,
  ],
  [
    "12. gzip then chunked on two lines: 501 as on one line (Apache merges them)",
    `POST / HTTP/1.1\r\n${H}Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`,
    [501],
    false,
  ],
  [
    "12. gzip, chunked on one line: 501",
    `POST / HTTP/1.1\r\n${H}Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n`,
    [501],
    false,
  ],
];

/** mod_wsgi 6's environ keys under mod_wsgi-express (reference §6.8, wsgi_environ.c,
 *  wsgi_adapter.c), without those that need a feature (SSL, auth, proxy trust). */
const MOD_WSGI_KEYS = [
  "apache.version",
  "mod_wsgi.application_group",
  "mod_wsgi.application_start",
  "mod_wsgi.callable_object",
  "mod_wsgi.connection_id",
  "mod_wsgi.daemon_start",
  "mod_wsgi.handler_script",
  "mod_wsgi.listener_host",
  "mod_wsgi.listener_port",
  "mod_wsgi.path_info",
  "mod_wsgi.process_group",
  "mod_wsgi.queue_start",
  "mod_wsgi.request_handler",
  "mod_wsgi.request_id",
  "mod_wsgi.request_start",
  "mod_wsgi.script_name",
  "mod_wsgi.server_pid",
  "mod_wsgi.thread_id",
  "mod_wsgi.version",
];

const environRows: Row[] = [
  [
    "10. SERVER_ADMIN is Apache's default (express sets no ServerAdmin)",
    get("/env"),
    [200],
    false,
    (env) => {
      assert.equal(env.SERVER_ADMIN, "[no address given]");
      assert.equal(env["mod_wsgi.request_handler"], "wsgi-handler");
      assert.equal(env["mod_wsgi.handler_script"], "");
      assert.equal(env["mod_wsgi.callable_object"], "application");
    },
  ],
  [
    "10. the mod_wsgi.* and apache.* keys are mod_wsgi 6's set, with its value types",
    get("/keys"),
    [200],
    false,
    (keys) => {
      const ours = Object.keys(keys).filter((k) => /^(mod_wsgi|apache)\./.test(k));
      assert.deepEqual(ours.sort(), MOD_WSGI_KEYS);
      assert.equal(keys["apache.version"], "tuple");
      assert.equal(keys["mod_wsgi.version"], "tuple");
      assert.equal(keys["mod_wsgi.thread_id"], "int");
      assert.equal(keys["mod_wsgi.request_start"], "float");
      assert.equal(keys["mod_wsgi.server_pid"], "str");
    },
  ],
];

const expectRows: Row[] = [
  [
    "11. Expect other than 100-continue: 417, closed, never the app's (Apache)",
    `POST / HTTP/1.1\r\n${H}Expect: 200-ok\r\nContent-Length: 1\r\n\r\nx`,
    [417],
    false,
  ],
  [
    "11. 100-continue among others is not 100-continue: 417 (Apache compares the whole value)",
    `POST / HTTP/1.1\r\n${H}Expect: 100-continue, x\r\nContent-Length: 1\r\n\r\nx`,
    [417],
    false,
  ],
  [
    "11. an HTTP/1.0 request with an unknown Expect: 417 too (Apache checks every version)",
    `POST / HTTP/1.0\r\n${H}Expect: x\r\nContent-Length: 1\r\n\r\nx`,
    [417],
    false,
  ],
  [
    "11. Expect: 100-Continue in any case is accepted, the app's answer (Apache: ap_cstr_casecmp)",
    `POST / HTTP/1.1\r\n${H}Expect: 100-Continue\r\nContent-Length: 1\r\n${C}\r\nx`,
    [200],
    false,
  ],
];

function statuses(text: string): number[] {
  return [...text.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((match) => Number(match[1]));
}

async function runRows(port: number, rows: readonly Row[]): Promise<string[]> {
  const results = await Promise.all(rows.map(([, bytes]) => rawTalk(port, bytes)));
  const problems: string[] = [];
  rows.forEach(([name, , expected, open, check], index) => {
    const result = results[index];
    if (!result) return;
    const got = statuses(result.text);
    if (got.join() !== expected.join() || result.closed === open) {
      problems.push(
        `${name}: expected ${expected.join()} ${open ? "open" : "closed"}, got ${got.join()} ${result.closed ? "closed" : "open"}: ${JSON.stringify(result.text.slice(0, 200))}`,
      );
      return;
    }
    if (check) {
      try {
        check(JSON.parse(result.text.slice(result.text.indexOf("\r\n\r\n") + 4)) as Environ);
      } catch (error) {
        problems.push(`${name}: ${String(error)}`);
      }
    }
  });
  return problems;
}

describe("the wire as mod_wsgi-express has it, raw", () => {
  let server: RunningServer;
  before(async () => {
    server = await startServer([app("wire.wsgi"), "--threads", "8"]);
  });
  after(async () => {
    await server.stop();
  });

  test("8. OPTIONS * and CONNECT say what is allowed", async () => {
    const options = await rawTalk(server.port, `OPTIONS * HTTP/1.1\r\n${H}${C}\r\n`);
    assert.match(options.text, /\r\nAllow: GET,HEAD,POST,OPTIONS\r\n/);
    assert.match(options.text, /\r\nContent-Length: 0\r\n/);
    assert.match(options.text, /\r\n\r\n$/);
    const connect = await rawTalk(server.port, `CONNECT a:443 HTTP/1.1\r\n${H}\r\n`);
    assert.match(connect.text, /\r\nAllow: GET,HEAD,POST,OPTIONS\r\n/);
  });

  test("8. --trace-enable echoes the request head as message/http", async (t) => {
    const traced = await startServer([app("wire.wsgi"), "--trace-enable"]);
    t.after(() => traced.stop());
    const echo = await rawTalk(traced.port, `TRACE /t?q HTTP/1.1\r\n${H}X-A: b\r\n${C}\r\n`);
    assert.match(echo.text, /^HTTP\/1\.1 200 OK\r\n/);
    assert.match(echo.text, /Content-Type: message\/http/);
    assert.match(echo.text, /\r\n\r\nTRACE \/t\?q HTTP\/1\.1\r\nHost: a\r\nX-A: b\r\n/);
    const withBody = await rawTalk(
      traced.port,
      `TRACE / HTTP/1.1\r\n${H}Content-Length: 1\r\n\r\nx`,
    );
    assert.match(withBody.text, /^HTTP\/1\.1 413 /);
  });

  test("0. started as root without --user: a warning in the banner and the error log", async () => {
    // The harness starts the server as whoever runs the tests (root in CI containers).
    if (process.getuid?.() === 0 && MODE === "embedded") {
      // --user is refused in embedded mode: the warning says what is left instead.
      assert.match(server.banner(), /^Warning\s*: started as root in embedded mode/m);
      await eventually(server.errorLog, (log) =>
        /runs as root in the front end's worker/.test(log),
      );
    } else if (process.getuid?.() === 0) {
      assert.match(server.banner(), /^Warning\s*: started as root without --user\/--group/m);
      await eventually(server.errorLog, (log) => /runs as root; give --user and --group/.test(log));
    } else {
      assert.doesNotMatch(server.banner(), /^Warning/m);
    }
  });

  test("9. start_response twice before the body: the second wins, logged once (mod_wsgi)", async () => {
    const first = await rawTalk(server.port, get("/twice"));
    assert.match(first.text, /^HTTP\/1\.1 202 Second\r\n/);
    assert.doesNotMatch(first.text, /X-First/i);
    assert.match(first.text, /\r\nsecond wins\r\n/);
    await rawTalk(server.port, get("/twice"));
    await eventually(server.errorLog, (log) => /PEP 3333/.test(log));
    assert.equal(server.errorLog().match(/PEP 3333/g)?.length, 1);
  });

  test("9. a bare status is sent with its standard reason phrase (mod_wsgi 6)", async () => {
    const ok = await rawTalk(server.port, get("/bare-status"));
    assert.match(ok.text, /^HTTP\/1\.1 200 OK\r\n/);
    const missing = await rawTalk(server.port, get("/bare-404"));
    assert.match(missing.text, /^HTTP\/1\.1 404 Not Found\r\n/);
  });

  test("11. the 417 page is Apache's, the value escaped, and the connection closes", async () => {
    const answer = await rawTalk(
      server.port,
      `GET / HTTP/1.1\r\n${H}Expect: <b>x</b>\r\n\r\nGET / HTTP/1.1\r\n${H}\r\n`,
    );
    assert.match(answer.text, /^HTTP\/1\.1 417 Expectation Failed\r\n/);
    assert.match(answer.text, /\r\nConnection: close\r\n/);
    assert.match(answer.text, /could not be met by this server/);
    assert.match(answer.text, /Expect: &lt;b&gt;x&lt;\/b&gt;/);
    assert.match(answer.text, /Only the 100-continue expectation is supported/);
    assert.equal(statuses(answer.text).length, 1);
    assert.equal(answer.closed, true);
  });

  test("11. duplicate response headers merged as mod_wsgi's daemon mode, Set-Cookie never", async () => {
    const answer = await rawTalk(server.port, get("/dup-headers"));
    const head = answer.text.slice(0, answer.text.indexOf("\r\n\r\n") + 2);
    assert.match(head, /^HTTP\/1\.1 302 Found\r\n/);
    const lines = (name: string): string[] =>
      head.split("\r\n").filter((line) => line.toLowerCase().startsWith(name.toLowerCase() + ":"));
    assert.deepEqual(lines("X-Multi"), ["X-Multi: a, b"]);
    assert.deepEqual(lines("Cache-Control"), ["Cache-Control: no-cache, no-store"]);
    assert.deepEqual(lines("Set-Cookie"), ["Set-Cookie: a=1", "Set-Cookie: b=2"]);
    assert.deepEqual(lines("WWW-Authenticate"), [
      "WWW-Authenticate: Basic realm=a",
      "WWW-Authenticate: Bearer",
    ]);
    assert.deepEqual(lines("Location"), ["Location: /two"]);
    assert.deepEqual(lines("Content-Type"), ["Content-Type: text/plain; Charset=UTF-8"]);
  });

  test("10. /app under --mount-point /app: 301 to /app/, query kept (mod_dir DirectorySlash)", async (t) => {
    const mounted = await startServer([app("wire.wsgi"), "--mount-point", "/app"]);
    t.after(() => mounted.stop());
    const rows: Row[] = [
      ["10. /app?x=1&y: 301", get("/app?x=1&y"), [301], false],
      ["10. POST /app: 301 too (any method)", `POST /app HTTP/1.1\r\n${H}${C}\r\n`, [301], false],
      [
        "10. /app/ is the app's",
        get("/app/"),
        [200],
        false,
        (env) => {
          assert.equal(env.SCRIPT_NAME, "/app");
          assert.equal(env.PATH_INFO, "/");
        },
      ],
      ["10. /app/x is the app's", get("/app/x"), [200], false],
      ["10. /apple is not under the mount point: 404", get("/apple"), [404], false],
    ];
    assert.deepEqual(await runRows(mounted.port, rows), []);
    const moved = await rawTalk(
      mounted.port,
      get("/app?x=1&y", "").replace(H, "Host: A.example:8080\r\n"),
    );
    assert.match(moved.text, /\r\nLocation: http:\/\/a\.example:8080\/app\/\?x=1&y\r\n/);
    const bare = await rawTalk(mounted.port, get("//app"));
    assert.match(bare.text, /\r\nLocation: http:\/\/a\/app\/\r\n/);
  });

  for (const [group, rows] of [
    ["security", security],
    ["paths", paths],
    ["methods and transfer codings", methods],
    ["the environ's keys", environRows],
    ["Expect", expectRows],
  ] as const) {
    test(group, async () => {
      assert.deepEqual(await runRows(server.port, rows), []);
    });
  }
});
