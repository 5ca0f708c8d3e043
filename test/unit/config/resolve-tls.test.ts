import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { resolveConfig } from "../../../src/config/resolve.js";
import { loadTlsMaterial } from "../../../src/config/resolve-tls.js";
import type { TlsConfig } from "../../../src/config/server-config.js";
import { isWsgiExpressError } from "../../../src/errors.js";
import { fakeContext, parseArgs } from "./fakes.js";

async function resolveWith(argv: string[]) {
  const context = fakeContext();
  return resolveConfig(parseArgs(["start-server", ...argv], context.env), context);
}

async function failsWith(argv: string[], code: string, mentions: string): Promise<void> {
  await assert.rejects(resolveWith(argv), (error: unknown) => {
    assert.ok(isWsgiExpressError(error));
    assert.equal(error.code, code);
    assert.ok(error.message.includes(mentions), error.message);
    return true;
  });
}

const SITE = ["--https-port", "8443", "--server-name", "example.com"];
const FILES = ["--ssl-certificate-file", "site.crt", "--ssl-certificate-key-file", "site.key"];

test("no --https-port: no HTTPS listener", async () => {
  assert.equal((await resolveWith([])).tls, null);
});

test("a complete HTTPS site resolves to absolute paths and its rules", async () => {
  const config = await resolveWith([
    ...SITE,
    ...FILES,
    "--ssl-ca-certificate-file",
    "ca.crt",
    "--ssl-verify-client",
    "/a/",
    "--ssl-verify-client",
    "/a/b",
    "--ssl-environment",
    "--https-only",
    "--hsts-policy",
    "max-age=60",
  ]);
  assert.deepEqual(config.tls, {
    port: 8443,
    certificateFile: "/work/app/site.crt",
    keyFile: "/work/app/site.key",
    fromPrefix: false,
    chainFile: null,
    caCertificateFile: "/work/app/ca.crt",
    verifyClient: ["/a/b", "/a"],
    environment: true,
    httpsOnly: true,
    hstsPolicy: "max-age=60",
    http2: false,
    stapling: false,
  });
});

test("--ssl-certificate PREFIX appends .crt and .key; --ssl-port is --https-port", async () => {
  const config = await resolveWith([
    "--ssl-port",
    "9443",
    "--server-name",
    "x",
    "--ssl-certificate",
    "site",
  ]);
  assert.ok(config.tls);
  assert.equal(config.tls.port, 9443);
  assert.equal(config.tls.certificateFile, "/work/app/site.crt");
  assert.equal(config.tls.keyFile, "/work/app/site.key");
  assert.equal(config.tls.fromPrefix, true);
});

test("certificate options without --https-port are an error", async () => {
  for (const argv of [
    FILES,
    ["--ssl-certificate", "site"],
    ["--ssl-ca-certificate-file", "ca.crt"],
    ["--ssl-verify-client", "/a"],
    ["--ssl-environment"],
    ["--https-only"],
    ["--hsts-policy", "max-age=1"],
  ]) {
    await failsWith(argv, "WSGIX_ERR_OPTION_NEEDS", "needs --https-port");
  }
});

test("--http2 alone serves h2c on the HTTP port; with --https-port, h2 as well", async () => {
  const plain = await resolveWith(["--http2"]);
  assert.equal(plain.tls, null);
  assert.equal(plain.http.http2, true);
  const config = await resolveWith([...SITE, ...FILES, "--http2"]);
  assert.equal(config.tls?.http2, true);
  assert.equal(config.http.http2, true);
  const without = await resolveWith([...SITE, ...FILES]);
  assert.equal(without.tls?.http2, false);
  assert.equal(without.http.http2, false);
});

test("--https-port without --server-name is an error that says mod_wsgi-express ignores it", async () => {
  await failsWith(["--https-port", "8443", ...FILES], "WSGIX_ERR_OPTION_NEEDS", "silently");
});

test("incomplete or conflicting certificate options are errors naming the option", async () => {
  await failsWith(SITE, "WSGIX_ERR_OPTION_NEEDS", "--ssl-certificate-file and");
  await failsWith(
    [...SITE, "--ssl-certificate-file", "site.crt"],
    "WSGIX_ERR_OPTION_NEEDS",
    "--ssl-certificate-file: needs --ssl-certificate-key-file",
  );
  await failsWith(
    [...SITE, ...FILES, "--ssl-certificate", "site"],
    "WSGIX_ERR_OPTION_VALUE",
    "--ssl-certificate:",
  );
  await failsWith(
    [...SITE, "--ssl-certificate", "nothing"],
    "WSGIX_ERR_MISSING_FILE",
    "--ssl-certificate:",
  );
  await failsWith(
    [...SITE, ...FILES, "--ssl-ca-certificate-file", "nope.crt"],
    "WSGIX_ERR_MISSING_FILE",
    "--ssl-ca-certificate-file",
  );
  await failsWith(
    [...SITE, ...FILES, "--ssl-verify-client", "/a"],
    "WSGIX_ERR_OPTION_NEEDS",
    "--ssl-verify-client: needs --ssl-ca-certificate-file",
  );
  await failsWith(
    [...SITE, ...FILES, "--ssl-ca-certificate-file", "ca.crt", "--ssl-verify-client", "a"],
    "WSGIX_ERR_OPTION_VALUE",
    "--ssl-verify-client",
  );
  await failsWith(
    [...SITE, ...FILES, "--hsts-policy", "max-age=1"],
    "WSGIX_ERR_OPTION_NEEDS",
    "--hsts-policy: needs --https-only",
  );
});

/** A throw-away key pair and self-signed certificate made by openssl. */
function makeFiles(): { dir: string; tls: TlsConfig } {
  const dir = mkdtempSync(join(tmpdir(), "wsgi-express-tls-unit-"));
  for (const name of ["a", "b"]) {
    execFileSync(
      "openssl",
      [
        ...["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"],
        ...["-keyout", join(dir, `${name}.key`), "-out", join(dir, `${name}.crt`)],
        ...["-subj", `/CN=${name}`, "-days", "1"],
      ],
      { stdio: "ignore" },
    );
  }
  const tls: TlsConfig = {
    port: 0,
    certificateFile: join(dir, "a.crt"),
    keyFile: join(dir, "a.key"),
    fromPrefix: false,
    chainFile: null,
    caCertificateFile: null,
    verifyClient: [],
    environment: false,
    httpsOnly: false,
    hstsPolicy: null,
    http2: false,
    stapling: false,
  };
  return { dir, tls };
}

const read = (path: string): string => readFileSync(path, "utf8");

function loadFails(tls: TlsConfig, mentions: string): void {
  assert.throws(
    () => loadTlsMaterial(tls, read),
    (error: unknown) => {
      assert.ok(isWsgiExpressError(error));
      assert.equal(error.code, "WSGIX_ERR_TLS_FILE");
      assert.ok(error.message.includes(mentions), error.message);
      return true;
    },
  );
}

test("certificate files: a good pair loads; each bad file is named with its option", () => {
  const { dir, tls } = makeFiles();
  assert.match(loadTlsMaterial(tls, read).certificate.subject, /CN=a/);
  loadFails({ ...tls, certificateFile: join(dir, "gone.crt") }, "--ssl-certificate-file: '");
  loadFails(
    { ...tls, certificateFile: join(dir, "a.key") },
    "is not a PEM file holding a certificate",
  );
  loadFails({ ...tls, keyFile: join(dir, "a.crt") }, "--ssl-certificate-key-file: '");
  loadFails({ ...tls, keyFile: join(dir, "b.key") }, "is not the key of");
  loadFails({ ...tls, fromPrefix: true, keyFile: join(dir, "b.key") }, "--ssl-certificate: '");
  loadFails({ ...tls, chainFile: join(dir, "a.key") }, "--ssl-certificate-chain-file");
  loadFails({ ...tls, caCertificateFile: join(dir, "a.key") }, "--ssl-ca-certificate-file");
});
