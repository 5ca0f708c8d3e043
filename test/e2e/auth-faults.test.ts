import { test } from "node:test";
import assert from "node:assert/strict";
import { app, startServer } from "./harness.js";
import { authScript, curl, logged, type CurlResult } from "./auth-helpers.js";

test("the auth helper crashing (os._exit in the script) is a 500 for that request; the next is fine", async (t) => {
  const server = await startServer([
    app("environ.wsgi"),
    ...["--auth-user-script", authScript("users.py")],
  ]);
  t.after(() => server.stop());
  assert.equal((await curl(server.url, ["-u", "alice:secret"])).status, 200);
  assert.equal((await curl(server.url, ["-u", "crash:secret"])).status, 500);
  await logged(
    server,
    /auth helper \(pid \d+\) exited with status 3; 1 check\(s\) in flight failed \(500\)/,
  );
  // A new helper answers the next checks.
  for (let i = 0; i < 3; i += 1) {
    assert.equal((await curl(server.url, ["-u", "alice:secret"])).status, 200);
  }
  // A script that raises is a 500 too (mod_auth_basic's AUTH_GENERAL_ERROR), logged with
  // its traceback; and so is a wrong return type.
  assert.equal((await curl(server.url, ["-u", "raise:secret"])).status, 500);
  await logged(server, /RuntimeError: the user script failed on purpose/);
  assert.equal((await curl(server.url, ["-u", "wrongtype:secret"])).status, 500);
  await logged(server, /TypeError: Basic auth provider must return True, False None or user name/);
  assert.equal(await server.stop(), 0);
});

test("a hanging script is a 500 at --request-timeout, while other clients' checks go on", async (t) => {
  const server = await startServer([
    app("environ.wsgi"),
    ...["--auth-user-script", authScript("users.py"), "--request-timeout", "4"],
  ]);
  t.after(() => server.stop());
  const order: string[] = [];
  const hanging = curl(server.url + "hang", ["-u", "hang:secret"]).then((result: CurlResult) => {
    order.push("hang");
    return result;
  });
  // Other clients, meanwhile, one after another: none waits for the stuck check.
  const others: number[] = [];
  for (let i = 0; i < 5; i += 1) {
    others.push((await curl(server.url, ["-u", "alice:secret"])).status);
  }
  order.push("others");
  assert.deepEqual(others, [200, 200, 200, 200, 200]);
  const hung = await hanging;
  assert.equal(hung.status, 500);
  assert.deepEqual(order, ["others", "hang"]);
  const log = await logged(
    server,
    /did not answer within 4s: 500; the auth helper \(pid \d+\) is replaced/,
  );
  assert.equal(log.split("did not answer within").length, 2, "one log line");
  // A fresh helper serves from then on.
  assert.equal((await curl(server.url, ["-u", "alice:secret"])).status, 200);
  assert.equal(await server.stop(), 0);
});

test("a hanging or crashing host access script is a 500 at the timeout, the helper restarted", async (t) => {
  const server = await startServer([
    app("environ.wsgi"),
    ...["--host-access-script", authScript("access.py"), "--request-timeout", "3"],
  ]);
  t.after(() => server.stop());
  const statusFor = async (wanted: string): Promise<number> =>
    (await curl(server.url, ["-H", `X-Access: ${wanted}`])).status;
  assert.equal(await statusFor("crash"), 500);
  assert.equal(await statusFor("allow"), 200);
  assert.equal(await statusFor("hang"), 500);
  await logged(server, /auth: access in '.*access\.py' did not answer within 3s: 500/);
  assert.equal(await statusFor("allow"), 200);
});
