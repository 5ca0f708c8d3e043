import { test } from "node:test";
import assert from "node:assert/strict";
import type { Server as TlsServer } from "node:tls";
import { needsCertificate, underPath } from "../../../src/http/client-certificates.js";
import { withHeader } from "../../../src/http/hsts.js";
import { cipherKeyBits, rfc2253, sessionIdOf } from "../../../src/http/ssl-environ.js";
import { TicketKeys } from "../../../src/http/tls.js";
import type { TlsConfig } from "../../../src/config/server-config.js";

const TLS: TlsConfig = {
  port: 0,
  certificateFile: "/c",
  keyFile: "/k",
  fromPrefix: false,
  chainFile: null,
  caCertificateFile: "/ca",
  verifyClient: [],
  environment: false,
  httpsOnly: false,
  hstsPolicy: null,
  http2: false,
  stapling: false,
};

test("client certificates: the whole site, or under the --ssl-verify-client paths", () => {
  assert.equal(needsCertificate({ ...TLS, caCertificateFile: null }, "/"), false);
  assert.equal(needsCertificate(TLS, "/anything"), true);
  const paths = { ...TLS, verifyClient: ["/secure"] };
  assert.equal(needsCertificate(paths, "/secure"), true);
  assert.equal(needsCertificate(paths, "/secure/x"), true);
  assert.equal(needsCertificate(paths, "/secured"), false);
  assert.equal(needsCertificate(paths, "/"), false);
  assert.equal(underPath("/x", "/"), true);
});

test("HSTS replaces a field of the same name and keeps repeated ones", () => {
  assert.deepEqual(
    withHeader(
      ["Set-Cookie", "a", "strict-transport-security", "x", "Set-Cookie", "b"],
      "Strict-Transport-Security",
      "max-age=1",
    ),
    ["Set-Cookie", "a", "Set-Cookie", "b", "Strict-Transport-Security", "max-age=1"],
  );
  assert.deepEqual(
    withHeader({ A: "1", "STRICT-TRANSPORT-SECURITY": "x" }, "Strict-Transport-Security", "v"),
    {
      A: "1",
      "Strict-Transport-Security": "v",
    },
  );
  assert.deepEqual(withHeader(undefined, "H", "v"), { H: "v" });
});

test("SSL_* formats: RFC 2253 names, key sizes, the session id in the DER session", () => {
  assert.equal(
    rfc2253("C=US\nO=Exa\\, mple\nCN=client + UID=u1"),
    "CN=client+UID=u1,O=Exa\\, mple,C=US",
  );
  assert.equal(cipherKeyBits("TLS_AES_128_GCM_SHA256"), 128);
  assert.equal(cipherKeyBits("ECDHE-RSA-AES256-GCM-SHA384"), 256);
  assert.equal(cipherKeyBits("ECDHE-RSA-CHACHA20-POLY1305"), 256);
  // SEQUENCE { INTEGER 1, INTEGER 0x0303, OCTET STRING c02f, OCTET STRING abcd, ... }
  const der = Buffer.from("300f020101020203030402c02f0402abcd0400", "hex");
  assert.equal(sessionIdOf(der), "ABCD");
  assert.equal(sessionIdOf(Buffer.from("0400", "hex")), null);
  assert.equal(sessionIdOf(undefined), null);
});

test("session ticket keys rotate on their interval and survive a context reload", (t) => {
  t.mock.timers.enable({ apis: ["setInterval"] });
  const set: Buffer[] = [];
  const server = { setTicketKeys: (key: Buffer) => set.push(key) } as unknown as TlsServer;
  let n = 0;
  const keys = new TicketKeys(server, 1000, undefined, (size) => Buffer.alloc(size, ++n));
  assert.equal(set.length, 1);
  assert.equal(set[0]?.length, 48);
  t.mock.timers.tick(999);
  assert.equal(set.length, 1);
  t.mock.timers.tick(1);
  assert.equal(set.length, 2);
  assert.equal(set[1]?.[0], 2);
  keys.reapply();
  assert.equal(set[2]?.[0], 2);
  keys.stop();
  t.mock.timers.tick(5000);
  assert.equal(set.length, 3);
});
