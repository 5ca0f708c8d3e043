import { test } from "node:test";
import assert from "node:assert/strict";
import { constants } from "node:http2";
import { app, startServer } from "./harness.js";
import { h2Get, h2Request, h2Session, rapidReset } from "./h2-helpers.js";
import { httpsArgs, httpsPort, makeCertificates } from "./tls-helpers.js";

const certs = makeCertificates();

test("--http2: limits are advertised; a rapid-reset burst leaves the server serving", async (t) => {
  const server = await startServer([
    app("hello.wsgi"),
    ...httpsArgs(certs, "--http2", "--keep-alive-timeout", "1", "--request-timeout", "2"),
  ]);
  t.after(() => server.stop());
  const port = httpsPort(server);
  const attacker = await h2Session(port, certs.ca);
  t.after(() => {
    attacker.destroy();
  });
  attacker.on("error", () => undefined);
  assert.equal(attacker.remoteSettings.maxConcurrentStreams, 100);
  assert.equal(attacker.remoteSettings.maxHeaderListSize, 64 * 1024);
  // CVE-2023-44487: streams opened and cancelled at once, in a bounded burst.
  const burst = 2000;
  let closed = 0;
  const allClosed = new Promise<void>((resolve) => {
    attacker.once("close", resolve);
    for (let i = 0; i < burst && !attacker.destroyed && !attacker.closed; i += 1) {
      const stream = attacker.request({ ":path": `/${i}` });
      stream.on("error", () => undefined);
      stream.once("close", () => {
        closed += 1;
        if (closed === burst) resolve();
      });
      stream.close(constants.NGHTTP2_CANCEL);
    }
  });
  await allClosed;
  // Whether the session was cut or not, a fresh client is served.
  const after = await h2Get(port, certs.ca, "/");
  assert.equal(after.status, 200);
  assert.equal(after.body.toString(), "Hello World!");
  // As an attacker sends it (HEADERS and RST_STREAM back to back, no waiting for slots):
  // nghttp2's reset rate limit ends the session with a GOAWAY; the server then drops the
  // connection once it idled --keep-alive-timeout and its streams had --request-timeout.
  // The wait for that close only bounds a hang: a busy machine takes its time over the
  // 20,000 streams (20 s was seen to fall short under load).
  const attack = await rapidReset(port, certs.ca, 20_000, 120_000);
  assert.notEqual(attack.goaway, null);
  assert.equal(attack.closedByServer, true);
  const healthy = await h2Get(port, certs.ca, "/");
  assert.equal(healthy.status, 200);
});

test("--http2: an idle session gets GOAWAY after --keep-alive-timeout; a slow request ends first", async (t) => {
  const server = await startServer([
    app("slow.wsgi"),
    ...httpsArgs(certs, "--http2", "--keep-alive-timeout", "1"),
  ]);
  t.after(() => server.stop());
  const session = await h2Session(httpsPort(server), certs.ca);
  t.after(() => {
    session.destroy();
  });
  const goaway = new Promise<number>((resolve) => session.once("goaway", resolve));
  let goneAway = false;
  void goaway.then(() => (goneAway = true));
  // Longer than the keep-alive timeout: a session with a stream open is not idle. Looked
  // at when the body arrives, not once it has been read: a client slower than the
  // keep-alive timeout may read the rightful GOAWAY along with the stream's end.
  let goneAwayBeforeBody: boolean | null = null;
  const slow = await h2Request(session, "/?seconds=2", {
    onData: () => (goneAwayBeforeBody ??= goneAway),
  });
  assert.equal(slow.status, 200);
  assert.equal(goneAwayBeforeBody, false);
  assert.equal(await goaway, constants.NGHTTP2_NO_ERROR);
});
