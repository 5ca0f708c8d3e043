import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { app, eventually, request, runCli, startServer, tempDir } from "./harness.js";
import { authScript, curl, environOf, logged } from "./auth-helpers.js";

test("Basic: curl's --basic passes with the password, 401 without it; the whole site is protected", async (t) => {
  const docs = tempDir();
  writeFileSync(join(docs, "static.txt"), "a static file\n");
  const server = await startServer([
    app("environ.wsgi"),
    ...["--auth-user-script", authScript("users.py"), "--document-root", docs, "--access-log"],
  ]);
  t.after(() => server.stop());
  const alice = await curl(server.url + "app?x=1", ["--basic", "-u", "alice:secret"]);
  assert.equal(alice.status, 200, alice.body);
  const environ = environOf(alice);
  assert.equal(environ.REMOTE_USER, "alice");
  assert.equal(environ.AUTH_TYPE, "Basic");
  // WSGIPassAuthorization On, as mod_wsgi-express: the app sees the header too.
  assert.match(String(environ.HTTP_AUTHORIZATION), /^Basic /);

  const anonymous = await request(server.url + "app");
  assert.equal(anonymous.status, 401);
  assert.equal(anonymous.headers["www-authenticate"], 'Basic realm="127.0.0.1:0"');
  assert.equal((await curl(server.url, ["--basic", "-u", "alice:wrong"])).status, 401);
  assert.equal((await curl(server.url, ["--basic", "-u", "nobody:secret"])).status, 401);
  // Static files are behind the same <Location />.
  assert.equal((await request(server.url + "static.txt")).status, 401);
  const file = await curl(server.url + "static.txt", ["--basic", "-u", "alice:secret"]);
  assert.equal(file.body, "a static file\n");

  // A str from check_password replaces the user name: REMOTE_USER and the access log.
  const bob = await curl(server.url, ["--basic", "-u", "bob:secret"]);
  assert.equal(environOf(bob).REMOTE_USER, "robert");
  const log = await eventually(
    () => readFileSync(join(server.serverRoot, "access_log"), "utf8"),
    (text) => text.split("\n").filter(Boolean).length >= 7,
  );
  assert.match(log, /^127\.0\.0\.1 - alice \[[^\]]+\] "GET \/app\?x=1 HTTP\/1\.1" 200 /m);
  assert.match(log, /^127\.0\.0\.1 - robert \[[^\]]+\] "GET \/ HTTP\/1\.1" 200 /m);
  assert.match(log, /^127\.0\.0\.1 - - \[[^\]]+\] "GET \/app HTTP\/1\.1" 401 /m);
  await logged(server, /user alice: authentication failure: Password Mismatch: \//);
  await logged(server, /user nobody not found: \//);
});

test("the user script sees mod_wsgi's cut-down environ, with no credentials in it", async (t) => {
  const server = await startServer([
    app("environ.wsgi"),
    ...["--auth-user-script", authScript("users.py")],
  ]);
  t.after(() => server.stop());
  const probe = await curl(server.url + "a//b?q=1", ["-u", "probe:secret", "-H", "X-Tag: t1"]);
  const seen = JSON.parse(String(environOf(probe).REMOTE_USER)) as Record<string, unknown>;
  assert.deepEqual(seen, {
    HTTP_X_TAG: "t1",
    PATH_INFO: "",
    REQUEST_METHOD: "GET",
    REQUEST_URI: "/a//b?q=1",
    SCRIPT_NAME: "/a/b",
    authorization: false,
    "mod_wsgi.application_group": "",
    version: [6, 0, 0],
  });
  // wsgi.errors goes to the error log.
  await eventually(server.errorLog, (text) => text.includes("probe environ seen"));
});

test("Digest: curl's --digest passes; wrong password, unknown user and outsiders are 401", async (t) => {
  const server = await startServer([
    app("environ.wsgi"),
    ...["--auth-user-script", authScript("users.py"), "--auth-type", "Digest"],
    ...["--auth-group-script", authScript("groups.py"), "--auth-group", "wsgi"],
  ]);
  t.after(() => server.stop());
  const alice = await curl(server.url + "d?x=1", ["--digest", "-u", "alice:secret"]);
  assert.equal(alice.status, 200, alice.body);
  assert.equal(environOf(alice).REMOTE_USER, "alice");
  assert.equal(environOf(alice).AUTH_TYPE, "Digest");
  assert.match(
    alice.trace,
    /< WWW-Authenticate: Digest realm="127\.0\.0\.1:0", qop="auth", algorithm=MD5, nonce="/,
  );
  assert.equal((await curl(server.url, ["--digest", "-u", "alice:wrong"])).status, 401);
  assert.equal((await curl(server.url, ["--digest", "-u", "nobody:secret"])).status, 401);
  // Right password, but groups_for_user gives only b"staff": not in --auth-group.
  const outsider = await curl(server.url, ["--digest", "-u", "bytes:secret"]);
  assert.equal(outsider.status, 401);
  await logged(server, /Authorization of user bytes failed: not a member of designated groups/);

  // The very request curl sent, replayed (same nonce, same nc): refused.
  const sent = /^> Authorization: (Digest .*)\r?$/m.exec(alice.trace)?.[1];
  assert.ok(sent, alice.trace);
  const replay = await request(server.url + "d?x=1", { headers: { Authorization: sent } });
  assert.equal(replay.status, 401);
  await logged(server, /nonce count 00000001 already used: possible replay/);
});

test("--host-access-script: True/None allow, False and errors refuse with 403, before auth", async (t) => {
  const server = await startServer([
    app("environ.wsgi"),
    ...["--host-access-script", authScript("access.py")],
  ]);
  t.after(() => server.stop());
  const statusFor = async (wanted: string): Promise<number> =>
    (await request(server.url, { headers: { "X-Access": wanted } })).status;
  assert.equal(await statusFor("allow"), 200);
  assert.equal(await statusFor("none"), 200);
  assert.equal(await statusFor("host"), 200, "host is the client's address");
  assert.equal(await statusFor("deny"), 403);
  assert.equal(await statusFor("raise"), 403);
  const response = await request(server.url, { headers: { "X-Access": "allow" } });
  const environ = JSON.parse(response.body.toString()) as Record<string, unknown>;
  assert.equal(environ.REMOTE_USER, undefined, "no user without an auth script");
  // Both refusals logged; the script's error with its traceback, from the helper.
  const log = await eventually(
    server.errorLog,
    (text) => text.split("client denied by the host access script: /").length === 3,
  );
  await eventually(server.errorLog, (text) =>
    text.includes("RuntimeError: the access script failed on purpose"),
  );
  assert.match(log, /\[wsgi:error\] \[pid \d+\] client denied/);
});

test("the scripts are reloaded when their file changes, as mod_wsgi's", async (t) => {
  const dir = tempDir();
  const script = join(dir, "users.py");
  writeFileSync(script, "def check_password(environ, user, password):\n    return True\n");
  const server = await startServer([app("environ.wsgi"), "--auth-user-script", script]);
  t.after(() => server.stop());
  assert.equal((await curl(server.url, ["-u", "alice:any"])).status, 200);
  writeFileSync(script, "def check_password(environ, user, password):\n    return 'changed'\n");
  // mtime in seconds may not have moved within the same second: move it on purpose.
  const later = new Date(Date.now() + 5_000);
  utimesSync(script, later, later);
  const after = await curl(server.url, ["-u", "alice:any"]);
  assert.equal(environOf(after).REMOTE_USER, "changed");
});

test("a script file that does not exist is one error line naming the option and the file", async () => {
  const result = await runCli(["start-server", app("hello.wsgi"), "--auth-user-script", "nope.py"]);
  assert.equal(result.status, 2);
  assert.equal(
    result.stderr.trim(),
    "wsgi-express: error: --auth-user-script: expected an existing Python script, got 'nope.py'",
  );
});
