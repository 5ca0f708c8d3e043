import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile, execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { createServer as createHttpServer } from "node:http";
import { createServer } from "node:net";
import { promisify } from "node:util";
import { app, startServer } from "./harness.js";
import { httpsPort, makeCertificates } from "./tls-helpers.js";

const run = promisify(execFile);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => {
        resolve(typeof address === "object" && address ? address.port : 0);
      });
    });
  });
}

test("--ssl-use-stapling: the responder's answer is stapled (openssl ocsp, s_client -status)", async (t) => {
  const certs = makeCertificates();
  const path = certs.path;
  const ocspPort = await freePort();
  // The server certificate, issued by `openssl ca` so that the responder's index knows
  // it, naming the responder in its Authority Information Access.
  writeFileSync(path("ocsp.index"), "");
  writeFileSync(path("ocsp.serial"), "2000\n");
  writeFileSync(
    path("ocsp.cnf"),
    [
      "[ca]",
      "default_ca = test",
      "[test]",
      `database = ${path("ocsp.index")}`,
      `new_certs_dir = ${certs.dir}`,
      `serial = ${path("ocsp.serial")}`,
      "default_md = sha256",
      "default_days = 2",
      "policy = any",
      "[any]",
      "commonName = supplied",
      "[site]",
      "subjectAltName = DNS:localhost,IP:127.0.0.1",
      `authorityInfoAccess = OCSP;URI:http://127.0.0.1:${ocspPort}/`,
      "",
    ].join("\n"),
  );
  const openssl = (args: string[]): void => {
    execFileSync("openssl", args, { stdio: "ignore" });
  };
  openssl([
    ...["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"],
    ...["-keyout", path("site.key"), "-out", path("site.csr"), "-subj", "/CN=localhost"],
  ]);
  openssl([
    ...["ca", "-batch", "-notext", "-config", path("ocsp.cnf"), "-extensions", "site"],
    ...["-cert", path("ca.crt"), "-keyfile", path("ca.key"), "-in", path("site.csr")],
    ...["-out", path("site.crt")],
  ]);
  // The responder: OpenSSL's own (`openssl ocsp` signs the answer from its index), behind
  // a node:http front on 127.0.0.1, as OpenSSL 3.0's `-port` binds every interface.
  let asked = 0;
  const responder = createHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      asked += 1;
      writeFileSync(path("ocsp.req"), Buffer.concat(chunks));
      openssl([
        ...["ocsp", "-index", path("ocsp.index"), "-rsigner", path("ca.crt")],
        ...["-rkey", path("ca.key"), "-CA", path("ca.crt"), "-nmin", "10"],
        ...["-reqin", path("ocsp.req"), "-respout", path("ocsp.resp")],
      ]);
      res.setHeader("Content-Type", "application/ocsp-response");
      res.end(readFileSync(path("ocsp.resp")));
    });
  });
  await new Promise<void>((resolve) => responder.listen(ocspPort, "127.0.0.1", resolve));
  t.after(() => responder.close());
  const server = await startServer([
    app("hello.wsgi"),
    ...["--https-port", "0", "--server-name", "localhost", "--ssl-use-stapling"],
    ...["--ssl-certificate-file", path("site.crt"), "--ssl-certificate-key-file", path("site.key")],
    ...["--ssl-certificate-chain-file", path("ca.crt")],
  ]);
  t.after(() => server.stop());
  const port = httpsPort(server);
  // The first handshake waits for the fetch; the second is served from the cache.
  let status = "";
  for (let attempt = 0; attempt < 2; attempt++) {
    const client = run("openssl", [
      ...["s_client", "-connect", `127.0.0.1:${port}`, "-servername", "localhost", "-status"],
      ...["-CAfile", path("ca.crt")],
    ]);
    // s_client ends when its input does.
    client.child.stdin?.end();
    const { stdout } = await client.catch((error: unknown) => ({
      stdout: String((error as { stdout?: string }).stdout),
    }));
    status = stdout;
  }
  assert.match(status, /OCSP Response Status: successful/, server.errorLog());
  assert.match(status, /Cert Status: good/);
  assert.match(status, /Verify return code: 0 \(ok\)/);
  // Cached until its nextUpdate (10 minutes): later handshakes asked nothing more.
  assert.equal(asked, 1);
});
