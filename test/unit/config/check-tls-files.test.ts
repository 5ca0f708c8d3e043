import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkTlsFiles } from "../../../src/config/check-tls-files.js";
import type { TlsConfig } from "../../../src/config/server-config.js";
import { isWsgiExpressError } from "../../../src/errors.js";

function site(): TlsConfig {
  const dir = mkdtempSync(join(tmpdir(), "wsgi-express-check-tls-"));
  execFileSync(
    "openssl",
    [
      ...["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"],
      ...["-keyout", join(dir, "site.key"), "-out", join(dir, "site.crt")],
      ...["-subj", "/CN=site", "-days", "2"],
    ],
    { stdio: "ignore" },
  );
  return {
    port: 0,
    certificateFile: join(dir, "site.crt"),
    keyFile: join(dir, "site.key"),
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
}

const read = (path: string): string => readFileSync(path, "utf8");

test("checkTlsFiles: nothing without HTTPS; a valid pair, no warning; in a year, expired", () => {
  assert.deepEqual(checkTlsFiles(null, read, new Date()), []);
  const tls = site();
  assert.deepEqual(checkTlsFiles(tls, read, new Date()), []);
  const later = new Date(Date.now() + 365 * 86_400_000);
  const [line, ...more] = checkTlsFiles(tls, read, later);
  assert.deepEqual(more, []);
  assert.match(line ?? "", /^--ssl-certificate-file: '.*site\.crt' expired on .* GMT; clients/);
  const earlier = new Date(Date.now() - 86_400_000);
  assert.match(
    checkTlsFiles({ ...tls, fromPrefix: true }, read, earlier)[0] ?? "",
    /^--ssl-certificate: '.*site\.crt' is not valid before /,
  );
});

test("checkTlsFiles: an unreadable file is one error naming the option and the file", () => {
  const tls = site();
  const denied = (path: string): string => {
    if (path === tls.keyFile) throw new Error("EACCES: permission denied");
    return read(path);
  };
  assert.throws(
    () => checkTlsFiles(tls, denied, new Date()),
    (error: unknown) => {
      assert.ok(isWsgiExpressError(error));
      assert.equal(error.code, "WSGIX_ERR_TLS_FILE");
      assert.equal(
        error.message,
        `--ssl-certificate-key-file: '${tls.keyFile}' cannot be read (EACCES: permission denied)`,
      );
      return true;
    },
  );
});
