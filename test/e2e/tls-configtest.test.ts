import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile, execFileSync } from "node:child_process";
import { copyFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { app, eventually, runCli, startServer, tempDir } from "./harness.js";
import { httpsArgs, makeCertificates, type Certificates } from "./tls-helpers.js";

const run = promisify(execFile);
const certs = makeCertificates();

/** NAME.crt / NAME.key for localhost, signed by the test CA, valid only in January 2020
 *  (`openssl ca` takes explicit dates; `openssl x509 -days` cannot go backwards). */
function issueExpired(certificates: Certificates, name: string): void {
  const path = certificates.path;
  const config = path(`${name}.cnf`);
  writeFileSync(path(`${name}.index`), "");
  writeFileSync(path(`${name}.serial`), "1000\n");
  writeFileSync(
    config,
    [
      "[ca]",
      "default_ca = test",
      "[test]",
      `database = ${path(`${name}.index`)}`,
      `new_certs_dir = ${certificates.dir}`,
      `serial = ${path(`${name}.serial`)}`,
      "default_md = sha256",
      "policy = any",
      "[any]",
      "commonName = supplied",
      "",
    ].join("\n"),
  );
  const openssl = (args: string[]): void => {
    execFileSync("openssl", args, { stdio: "ignore" });
  };
  openssl([
    ...["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"],
    ...["-keyout", path(`${name}.key`), "-out", path(`${name}.csr`), "-subj", "/CN=localhost"],
  ]);
  openssl([
    ...["ca", "-batch", "-notext", "-config", config, "-cert", path("ca.crt")],
    ...["-keyfile", path("ca.key"), "-in", path(`${name}.csr`), "-out", path(`${name}.crt`)],
    ...["-startdate", "20200101000000Z", "-enddate", "20200131000000Z"],
  ]);
}

/** What a command that must fail reported. */
async function failure(
  command: Promise<unknown>,
): Promise<{ code?: number; stdout?: string; stderr?: string }> {
  try {
    await command;
  } catch (error) {
    return error as { code?: number; stdout?: string; stderr?: string };
  }
  return assert.fail("the command succeeded");
}

/** setup-server with an HTTPS site on `crt` and `key`. */
function setup(
  root: string,
  crt: string,
  key: string,
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return runCli([
    ...["setup-server", app("hello.wsgi"), "--port", "0", "--server-root", root],
    ...["--https-port", "0", "--server-name", "localhost"],
    ...["--ssl-certificate-file", crt, "--ssl-certificate-key-file", key],
  ]);
}

test("setup-server checks the certificate files: not PEM, a key of another certificate, expired", async () => {
  const dir = tempDir();
  const garbage = join(dir, "garbage.crt");
  writeFileSync(garbage, "not a certificate\n");
  const notPem = await setup(join(dir, "a"), garbage, certs.path("server.key"));
  assert.equal(notPem.status, 2);
  assert.equal(
    notPem.stderr,
    `wsgi-express: error: --ssl-certificate-file: '${garbage}' is not a PEM file holding a certificate\n`,
  );
  certs.issue("other", "localhost", { server: true });
  const mismatch = await setup(join(dir, "b"), certs.path("server.crt"), certs.path("other.key"));
  assert.equal(mismatch.status, 2);
  assert.equal(
    mismatch.stderr,
    `wsgi-express: error: --ssl-certificate-key-file: '${certs.path("other.key")}' is not the key of ${certs.path("server.crt")}\n`,
  );
  issueExpired(certs, "expired");
  const expired = await setup(join(dir, "c"), certs.path("expired.crt"), certs.path("expired.key"));
  assert.equal(expired.status, 0, expired.stderr);
  assert.match(
    expired.stderr,
    new RegExp(
      `^wsgi-express: warning: --ssl-certificate-file: '${certs.path("expired.crt")}' expired on Jan 31 00:00:00 2020 GMT; clients will refuse it\\n$`,
    ),
  );
  // Started with it: served (mod_ssl starts too), and the error log says why clients fail.
  const server = await startServer([
    app("hello.wsgi"),
    ...httpsArgs(certs).map((word) => word.replace(/server\.(crt|key)$/, "expired.$1")),
  ]);
  try {
    await eventually(server.errorLog, (text) =>
      text.includes(`--ssl-certificate-file: '${certs.path("expired.crt")}' expired on `),
    );
  } finally {
    await server.stop();
  }
  const good = await setup(join(dir, "d"), certs.path("server.crt"), certs.path("server.key"));
  assert.equal(good.status, 0);
  assert.equal(good.stderr, "");
});

test("apachectl configtest reads the certificate files again: a file broken since setup fails", async () => {
  const dir = tempDir();
  const crt = join(dir, "site.crt");
  const key = join(dir, "site.key");
  copyFileSync(certs.path("server.crt"), crt);
  copyFileSync(certs.path("server.key"), key);
  const root = join(dir, "root");
  const setUp = await setup(root, crt, key);
  assert.equal(setUp.status, 0, setUp.stderr);
  const control = join(root, "apachectl");
  const fine = await run(control, ["configtest"], { cwd: "/" });
  assert.equal(fine.stdout, "Syntax OK\n");
  // A truncated key: not a PEM key any more.
  writeFileSync(key, "-----BEGIN PRIVATE KEY-----\nMIG\n-----END PRIVATE KEY-----\n");
  const broken = await failure(run(control, ["configtest"], { cwd: "/" }));
  assert.equal(broken.code, 2);
  assert.equal(broken.stdout, "");
  assert.equal(
    broken.stderr,
    `wsgi-express: error: --ssl-certificate-key-file: '${key}' holds no valid PEM private key\n`,
  );
  // A certificate file gone since setup.
  rmSync(crt);
  const missing = await failure(run(control, ["configtest"], { cwd: "/" }));
  assert.equal(missing.code, 2);
  assert.match(
    missing.stderr ?? "",
    /^wsgi-express: error: --ssl-certificate-file: .*site\.crt.*\n$/,
  );
  // An expired certificate with its key: a warning, and the syntax is still OK.
  issueExpired(certs, "late");
  copyFileSync(certs.path("late.crt"), crt);
  copyFileSync(certs.path("late.key"), key);
  const late = await run(control, ["configtest"], { cwd: "/" });
  assert.equal(late.stdout, "Syntax OK\n");
  assert.match(
    late.stderr,
    /^wsgi-express: warning: --ssl-certificate-file: '.*site\.crt' expired on /,
  );
});
