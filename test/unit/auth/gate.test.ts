import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { AuthGate, type Checker } from "../../../src/auth/gate.js";
import type { CheckOutcome, CheckRequest } from "../../../src/auth/helper.js";
import { NONCE_LIFETIME_MS, NonceBook } from "../../../src/auth/nonces.js";
import type { AuthConfig } from "../../../src/config/server-config.js";

const md5 = (text: string): string => createHash("md5").update(text).digest("hex");

const REALM = "localhost:8000";
const BASE: AuthConfig = {
  hostAccessScript: null,
  userScript: "/srv/users.py",
  type: "Basic",
  realm: REALM,
  groupScript: null,
  group: "wsgi",
};

/** Answers each hook from a table; records what it was asked. */
class FakeChecker implements Checker {
  readonly asked: CheckRequest[] = [];
  constructor(private readonly answer: (request: CheckRequest) => CheckOutcome) {}
  check(request: CheckRequest): Promise<CheckOutcome> {
    this.asked.push(request);
    return Promise.resolve(this.answer(request));
  }
  stop(): void {}
}

const said = (verdict: string, value: unknown = null): CheckOutcome => ({
  kind: "answer",
  verdict,
  value,
});

function fakeRequest(headers: Record<string, string>, url = "/page?x=1", method = "GET") {
  const rawHeaders = Object.entries(headers).flat();
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  const socket = {
    remoteAddress: "::ffff:10.1.2.3",
    remotePort: 5000,
    localAddress: "127.0.0.1",
    localPort: 8000,
    destroyed: false,
  };
  return {
    headers: lower,
    rawHeaders,
    url,
    method,
    httpVersion: "1.1",
    socket,
  } as unknown as IncomingMessage;
}

interface Sent {
  status: number;
  headers: Record<string, string> | undefined;
}

async function run(
  gate: AuthGate,
  req: IncomingMessage,
): Promise<{ passed: boolean; sent: Sent | null }> {
  const box: { sent: Sent | null } = { sent: null };
  // Only a key for the access log's WeakMap here.
  const res = Object.create(null) as ServerResponse;
  const passed = await gate.admit(req, res, (_res, status, options) => {
    box.sent = { status, headers: options?.headers };
  });
  return { passed, sent: box.sent };
}

function makeGate(
  t: TestContext,
  auth: Partial<AuthConfig>,
  answer: (request: CheckRequest) => CheckOutcome,
) {
  t.mock.timers.enable({ apis: ["Date"], now: 1_800_000_000_000 });
  const checker = new FakeChecker(answer);
  const logged: string[] = [];
  const gate = new AuthGate(
    { ...BASE, ...auth },
    { serverSoftware: "wsgi-express", serverName: "localhost", documentRoot: "/srv/htdocs" },
    checker,
    new NonceBook(() => Date.now()),
    "OPAQUE",
    { error: (message) => logged.push(message) },
  );
  return { gate, checker, logged };
}

const basic = (credentials: string): Record<string, string> => ({
  Authorization: `Basic ${Buffer.from(credentials).toString("base64")}`,
});

test("host access: True and None pass, False and errors are 403, a lost check is 500", async (t) => {
  const verdicts: Record<string, CheckOutcome> = {
    allow: said("allow"),
    none: said("none"),
    deny: said("deny"),
    error: said("error"),
    lost: { kind: "failed", why: "timeout" },
  };
  const { gate, checker, logged } = makeGate(
    t,
    { hostAccessScript: "/srv/access.py", userScript: null },
    (request) => verdicts[request.environ.HTTP_X_CASE ?? ""] as CheckOutcome,
  );
  const statuses: Record<string, number | null> = {};
  for (const name of Object.keys(verdicts)) {
    const { passed, sent } = await run(gate, fakeRequest({ "X-Case": name }));
    statuses[name] = passed ? null : (sent?.status ?? -1);
  }
  assert.deepEqual(statuses, { allow: null, none: null, deny: 403, error: 403, lost: 500 });
  assert.deepEqual(checker.asked[0]?.args, ["10.1.2.3"], "host: the client's address");
  assert.equal(checker.asked[0].hook, "access");
  assert.equal(logged.filter((line) => line.includes("client denied")).length, 2);
});

test("the scripts' environ is mod_wsgi's cut-down one: no credentials, the whole path", async (t) => {
  const { gate, checker } = makeGate(t, {}, () => said("granted"));
  await run(
    gate,
    fakeRequest(
      { ...basic("alice:pw"), "Proxy-Authorization": "x", "X-Tag": "t" },
      "/a//b%20c?q=1",
    ),
  );
  const environ = checker.asked[0]?.environ ?? {};
  assert.equal(environ.HTTP_AUTHORIZATION, undefined);
  assert.equal(environ.HTTP_PROXY_AUTHORIZATION, undefined);
  assert.equal(environ.HTTP_X_TAG, "t");
  assert.equal(environ.SCRIPT_NAME, "/a/b c");
  assert.equal(environ.PATH_INFO, "");
  assert.equal(environ.QUERY_STRING, "q=1");
  assert.equal(environ.REQUEST_URI, "/a//b%20c?q=1");
  assert.equal(environ.REMOTE_ADDR, "10.1.2.3");
  assert.equal(environ.SERVER_PORT, "8000");
  assert.equal(environ["mod_wsgi.application_group"], "");
});

test("Basic: challenged without credentials; check_password's verdicts", async (t) => {
  const { gate, checker, logged } = makeGate(t, {}, (request) => {
    const [user] = request.args;
    if (user === "bob") return said("granted", "robert");
    if (user === "timeout") return { kind: "failed", why: "timeout" };
    return said(user === "alice" ? "granted" : (user ?? ""));
  });
  const none = await run(gate, fakeRequest({}));
  assert.deepEqual(none.sent, {
    status: 401,
    headers: { "WWW-Authenticate": `Basic realm="${REALM}"` },
  });
  assert.equal(checker.asked.length, 0, "no script call without credentials");

  const alice = fakeRequest(basic("alice:secret"));
  assert.equal((await run(gate, alice)).passed, true);
  assert.deepEqual(checker.asked[0]?.args, ["alice", "secret"]);
  const environ: Record<string, string> = {};
  gate.describe(alice, environ);
  assert.deepEqual(environ, { REMOTE_USER: "alice", AUTH_TYPE: "Basic" });

  const bob = fakeRequest(basic("bob:pw"));
  assert.equal((await run(gate, bob)).passed, true);
  gate.describe(bob, environ);
  assert.equal(environ.REMOTE_USER, "robert", "a str from the script replaces the user");

  const statuses = [];
  for (const user of ["denied", "unknown", "error", "timeout"]) {
    statuses.push((await run(gate, fakeRequest(basic(`${user}:pw`)))).sent?.status);
  }
  assert.deepEqual(statuses, [401, 401, 500, 500]);
  assert.match(
    logged.join("\n"),
    /user denied: authentication failure: Password Mismatch: \/page\?x=1/,
  );
  assert.match(logged.join("\n"), /user unknown not found/);
  // A refused request is never described.
  const refused: Record<string, string> = {};
  gate.describe(fakeRequest(basic("denied:pw")), refused);
  assert.deepEqual(refused, {});
});

test("groups: --auth-group must be among the user's groups, else 401 again", async (t) => {
  const groups: Record<string, CheckOutcome> = {
    alice: said("groups", ["staff", "wsgi"]),
    bob: said("groups", ["staff"]),
    loner: said("groups", []),
    broken: said("error"),
    slow: { kind: "failed", why: "timeout" },
  };
  const { gate, checker, logged } = makeGate(t, { groupScript: "/srv/groups.py" }, (request) =>
    request.hook === "groups" ? (groups[request.args[0] ?? ""] as CheckOutcome) : said("granted"),
  );
  const statuses: Record<string, number | null> = {};
  for (const user of Object.keys(groups)) {
    const { passed, sent } = await run(gate, fakeRequest(basic(`${user}:pw`)));
    statuses[user] = passed ? null : (sent?.status ?? -1);
  }
  assert.deepEqual(statuses, { alice: null, bob: 401, loner: 401, broken: 401, slow: 500 });
  assert.deepEqual(checker.asked[1], { ...checker.asked[1], hook: "groups", args: ["alice"] });
  assert.match(logged.join("\n"), /not a member of designated groups/);
  assert.match(logged.join("\n"), /not a member of any groups/);
});

/** A Digest client: answers the gate's last challenge as curl would. */
function digestFor(
  challenge: string,
  user: string,
  password: string,
  nc: number,
  uri = "/page?x=1",
) {
  const nonce = /nonce="([^"]+)"/.exec(challenge)?.[1] ?? "";
  const ncText = nc.toString(16).padStart(8, "0");
  const ha1 = md5(`${user}:${REALM}:${password}`);
  const response = md5(`${ha1}:${nonce}:${ncText}:c0ffee:auth:${md5(`GET:${uri}`)}`);
  return {
    Authorization:
      `Digest username="${user}", realm="${REALM}", nonce="${nonce}", uri="${uri}", ` +
      `qop=auth, nc=${ncText}, cnonce="c0ffee", response="${response}", opaque="OPAQUE"`,
  };
}

function digestGate(t: TestContext) {
  return makeGate(t, { type: "Digest" }, (request) => {
    const [user, realm] = request.args;
    if (user === "nobody") return said("unknown");
    if (user === "broken") return said("error");
    return said("found", md5(`${user}:${realm}:secret`));
  });
}

async function challenge(gate: AuthGate): Promise<string> {
  const { sent } = await run(gate, fakeRequest({}));
  assert.equal(sent?.status, 401);
  return sent.headers?.["WWW-Authenticate"] ?? "";
}

test("Digest: the right password passes once per nonce count; a replay is refused", async (t) => {
  const { gate, checker, logged } = digestGate(t);
  const offered = await challenge(gate);
  assert.match(
    offered,
    /^Digest realm="localhost:8000", qop="auth", algorithm=MD5, nonce="[^"]+", opaque="OPAQUE"$/,
  );
  const first = fakeRequest(digestFor(offered, "alice", "secret", 1));
  assert.equal((await run(gate, first)).passed, true);
  assert.deepEqual(checker.asked[0]?.args, ["alice", REALM]);
  const environ: Record<string, string> = {};
  gate.describe(first, environ);
  assert.deepEqual(environ, { REMOTE_USER: "alice", AUTH_TYPE: "Digest" });
  // The same request again (same nc): a replay.
  const replay = await run(gate, fakeRequest(digestFor(offered, "alice", "secret", 1)));
  assert.equal(replay.sent?.status, 401);
  assert.doesNotMatch(replay.sent.headers?.["WWW-Authenticate"] ?? "", /stale/);
  assert.match(logged.join("\n"), /nonce count 00000001 already used: possible replay/);
  // The next count on the same nonce is fine.
  assert.equal(
    (await run(gate, fakeRequest(digestFor(offered, "alice", "secret", 2)))).passed,
    true,
  );
});

test("Digest: an expired nonce with the right password gets stale=true; a wrong one does not", async (t) => {
  const { gate } = digestGate(t);
  const offered = await challenge(gate);
  t.mock.timers.tick(NONCE_LIFETIME_MS + 1);
  const stale = await run(gate, fakeRequest(digestFor(offered, "alice", "secret", 1)));
  assert.equal(stale.sent?.status, 401);
  const renewed = stale.sent.headers?.["WWW-Authenticate"] ?? "";
  assert.match(renewed, /, stale=true$/);
  const wrong = await run(gate, fakeRequest(digestFor(offered, "alice", "guess", 1)));
  assert.doesNotMatch(wrong.sent?.headers?.["WWW-Authenticate"] ?? "", /stale/);
  // The client retries on the new nonce at once, with no new password.
  assert.equal(
    (await run(gate, fakeRequest(digestFor(renewed, "alice", "secret", 1)))).passed,
    true,
  );
});

test("Digest: refusals before and after the script is asked", async (t) => {
  const { gate, checker } = digestGate(t);
  const offered = await challenge(gate);
  const status = async (headers: Record<string, string>, url?: string) =>
    (await run(gate, fakeRequest(headers, url))).sent?.status;
  const good = digestFor(offered, "alice", "secret", 1).Authorization;
  assert.equal(await status({ Authorization: good.replace(REALM, "elsewhere") }), 401);
  assert.equal(await status({ Authorization: good.replace('opaque="OPAQUE"', 'opaque="x"') }), 401);
  assert.equal(
    await status({ Authorization: good.replace(/nonce="[^"]+"/, 'nonce="1.2.3"') }),
    401,
  );
  assert.equal(checker.asked.length, 0, "none of these reached the script");
  assert.equal(await status({ Authorization: good }, "/other"), 400, "signed for another URI");
  assert.equal(await status({ Authorization: "Digest username=" }), 400);
  assert.equal(await status(digestFor(offered, "alice", "wrong", 1)), 401);
  assert.equal(await status(digestFor(offered, "nobody", "secret", 1)), 401);
  assert.equal(await status(digestFor(offered, "broken", "secret", 1)), 500);
});
