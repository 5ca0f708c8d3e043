/**
 * Client certificates (--ssl-ca-certificate-file, --ssl-verify-client): mod_wsgi-express
 * writes `SSLVerifyClient require` and `SSLVerifyDepth 1` in a <Location> for each path
 * (for `/` without --ssl-verify-client), so a request there needs a certificate issued
 * directly by one of the CAs, and gets 403 without one.
 *
 * The whole site: the certificate is asked for in the handshake (tls.ts). Some paths
 * only: Apache renegotiates (TLS 1.2) or uses post-handshake authentication (TLS 1.3).
 * node can renegotiate TLS 1.2 (TLSSocket.renegotiate) but has no post-handshake
 * authentication, so a TLS 1.3 connection without a certificate gets 403 there, with a
 * log line that says why; Apache answers the same to a TLS 1.3 client without PHA
 * support, which is every browser.
 */
import type { IncomingMessage } from "node:http";
import type { TLSSocket } from "node:tls";
import type { TlsConfig } from "../config/server-config.js";
import { splitTarget, decodePath } from "./request-target.js";
import { isHttp2 } from "./h2-compat.js";

/** "http1": the certificate can only be asked for by renegotiation, which HTTP/2 forbids
 *  (RFC 9113 §9.2.1): the client is told to retry over HTTP/1.1. */
export type CertificateVerdict = "ok" | "forbidden" | "http1";

/** True when `path` is `prefix` or below it, as a <Location> matches. */
export function underPath(path: string, prefix: string): boolean {
  if (prefix === "/") return true;
  return path === prefix || path.startsWith(prefix + "/");
}

/** Whether a request for `path` needs a client certificate. */
export function needsCertificate(tls: TlsConfig, path: string): boolean {
  if (tls.caCertificateFile === null) return false;
  if (tls.verifyClient.length === 0) return true;
  return tls.verifyClient.some((prefix) => underPath(path, prefix));
}

/** SSLVerifyDepth 1: the certificate's issuer is one of the CAs, with nothing between. */
function depthWithinOne(socket: TLSSocket): boolean {
  const peer = socket.getPeerCertificate(true);
  const issuer = peer.issuerCertificate as typeof peer | undefined;
  if (issuer === undefined) return false;
  // A self-issued CA ends the chain: node links its issuerCertificate to itself.
  return issuer === issuer.issuerCertificate || issuer.fingerprint256 === peer.fingerprint256;
}

function verified(socket: TLSSocket): boolean {
  return socket.authorized && depthWithinOne(socket);
}

/** Asks a TLS 1.2 client for its certificate again, now requiring one. */
function renegotiate(socket: TLSSocket): Promise<boolean> {
  return new Promise((resolve) => {
    const asked = socket.renegotiate({ requestCert: true, rejectUnauthorized: false }, (error) => {
      resolve(error === null && verified(socket));
    });
    if (!asked) resolve(false);
  });
}

/** Checks a request on a TLS socket against the client-certificate rules. */
export async function checkClientCertificate(
  tls: TlsConfig,
  req: IncomingMessage,
  socket: TLSSocket,
  log: (message: string) => void,
): Promise<CertificateVerdict> {
  const path = decodePath(splitTarget(req.url ?? "/").path);
  if (!needsCertificate(tls, path)) return "ok";
  if (verified(socket)) return "ok";
  const where = `client certificate required for ${path}`;
  if (socket.authorized) {
    log(`${where}: refused, its issuer is not one of the CAs itself (SSLVerifyDepth 1)`);
    return "forbidden";
  }
  // getPeerCertificate() gives {} when the client sent none.
  const presented = socket.getPeerX509Certificate() !== undefined;
  if (presented) {
    // node puts OpenSSL's verify code here (e.g. UNABLE_TO_VERIFY_LEAF_SIGNATURE).
    log(`${where}: refused, it did not verify (${String(socket.authorizationError)})`);
    return "forbidden";
  }
  if (tls.verifyClient.length > 0) {
    if (socket.getProtocol() === "TLSv1.3") {
      log(
        `${where}: refused, the connection is TLS 1.3, which cannot be asked for one after the ` +
          "handshake (node has no post-handshake authentication); the client can connect with TLS 1.2",
      );
      return "forbidden";
    }
    if (isHttp2(req)) {
      // As mod_http2 does: RST_STREAM HTTP_1_1_REQUIRED, and browsers retry over 1.1.
      log(`${where}: asking the client to retry over HTTP/1.1 (HTTP/2 cannot renegotiate)`);
      return "http1";
    }
    if (await renegotiate(socket)) return "ok";
  }
  log(`${where}: refused, the client sent none`);
  return "forbidden";
}
