/**
 * HTTPS test material: a CA, server and client certificates made by openssl at test
 * time, and an HTTPS client that can present a certificate, cap the TLS version and
 * report the certificate the server sent.
 */
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { request as httpsRequest, type Agent } from "node:https";
import type { IncomingHttpHeaders } from "node:http";
import { join } from "node:path";
import { TLSSocket } from "node:tls";
import { tempDir, type RunningServer } from "./harness.js";

function openssl(args: string[]): void {
  execFileSync("openssl", args, { stdio: "ignore" });
}

export interface Certificates {
  readonly dir: string;
  readonly ca: string;
  /** Absolute paths of files in `dir`. */
  readonly path: (name: string) => string;
  /** Issues NAME.crt / NAME.key signed by CA (default "ca"), subject `/O=Tests/CN=<cn>`. */
  readonly issue: (name: string, cn: string, options?: { ca?: string; server?: boolean }) => void;
}

/** A fresh directory with a CA (`ca`), a second CA (`other-ca`) and a server
 *  certificate for localhost (`server`). */
export function makeCertificates(): Certificates {
  const dir = tempDir("wsgi-express-tls-");
  const path = (name: string): string => join(dir, name);
  const newCa = (name: string, cn: string): void => {
    openssl([
      ...["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"],
      ...["-keyout", path(`${name}.key`), "-out", path(`${name}.crt`), "-days", "2"],
      ...["-subj", `/CN=${cn}`],
    ]);
  };
  const issue = (
    name: string,
    cn: string,
    options: { ca?: string; server?: boolean } = {},
  ): void => {
    const ca = options.ca ?? "ca";
    openssl([
      ...["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"],
      ...["-keyout", path(`${name}.key`), "-out", path(`${name}.csr`)],
      ...["-subj", `/C=US/O=Tests/CN=${cn}`],
    ]);
    const ext = path(`${name}.ext`);
    writeFileSync(
      ext,
      options.server
        ? "subjectAltName=DNS:localhost,IP:127.0.0.1\n"
        : "extendedKeyUsage=clientAuth\n",
    );
    openssl([
      ...["x509", "-req", "-in", path(`${name}.csr`), "-CA", path(`${ca}.crt`)],
      ...["-CAkey", path(`${ca}.key`), "-CAcreateserial", "-days", "2"],
      ...["-out", path(`${name}.crt`), "-extfile", ext],
    ]);
  };
  newCa("ca", "Test CA");
  newCa("other-ca", "Other CA");
  issue("server", "localhost", { server: true });
  return { dir, ca: readFileSync(path("ca.crt"), "utf8"), path, issue };
}

/** The HTTPS port from the banner's `Server URL (HTTPS)` line. */
export function httpsPort(server: RunningServer): number {
  const match = /^Server URL \(HTTPS\)\s*: https:\/\/[^:]+:(\d+)\/$/m.exec(server.banner());
  if (!match?.[1]) throw new Error(`no HTTPS URL in the banner:\n${server.banner()}`);
  return Number(match[1]);
}

export interface HttpsResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  /** The serial number of the certificate the server presented. */
  readonly serverSerial: string;
  readonly protocol: string | null;
  readonly localPort: number;
}

export interface HttpsOptions {
  readonly ca: string;
  readonly path?: string;
  readonly cert?: string;
  readonly key?: string;
  readonly maxVersion?: "TLSv1.2" | "TLSv1.3";
  readonly agent?: Agent;
  readonly headers?: Record<string, string>;
}

/** One GET to https://localhost:PORT over 127.0.0.1, verifying the server against `ca`. */
export function httpsGet(port: number, options: HttpsOptions): Promise<HttpsResponse> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      {
        host: "127.0.0.1",
        servername: "localhost",
        port,
        path: options.path ?? "/",
        headers: { Host: `localhost:${port}`, ...options.headers },
        ca: options.ca,
        ...(options.cert ? { cert: options.cert, key: options.key } : {}),
        ...(options.maxVersion ? { maxVersion: options.maxVersion } : {}),
        agent: options.agent ?? false,
      },
      (res) => {
        const socket = res.socket;
        if (!(socket instanceof TLSSocket)) throw new Error("not a TLS socket");
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => {
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks),
            serverSerial: socket.getPeerCertificate().serialNumber,
            protocol: socket.getProtocol(),
            localPort: socket.localPort ?? 0,
          });
        });
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end();
  });
}

/** The server's options for a site on localhost with the test server certificate. */
export function httpsArgs(certs: Certificates, ...more: string[]): string[] {
  return [
    "--https-port",
    "0",
    "--server-name",
    "localhost",
    "--ssl-certificate-file",
    certs.path("server.crt"),
    "--ssl-certificate-key-file",
    certs.path("server.key"),
    ...more,
  ];
}
