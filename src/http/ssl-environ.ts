/**
 * mod_ssl's standard SSL_* variables (`SSLOptions +StdEnvVars`, which --ssl-environment
 * writes), from node's TLS socket, in mod_ssl's formats: distinguished names in RFC 2253
 * form (mod_ssl's default since 2.3: `CN=x,O=y,C=z`), serials in upper-case hex, dates as
 * OpenSSL prints them (`Jan  1 00:00:00 2025 GMT`), SSL_CLIENT_VERIFY as NONE, SUCCESS or
 * FAILED:reason. SSL_CLIENT_CERT (the PEM) is added too, which mod_ssl gives only with
 * +ExportCertData.
 */
import { X509Certificate } from "node:crypto";
import type { TLSSocket } from "node:tls";

type Vars = Record<string, string>;

/** mod_ssl's DN component names for OpenSSL's short names (SSL_CLIENT_S_DN_CN...). */
const COMPONENTS: Readonly<Record<string, string>> = {
  C: "C",
  ST: "ST",
  L: "L",
  O: "O",
  OU: "OU",
  CN: "CN",
  title: "T",
  initials: "I",
  GN: "G",
  SN: "S",
  description: "D",
  UID: "UID",
  emailAddress: "Email",
};

/** The DN as node prints it (one RDN a line, certificate order) in RFC 2253 form. */
export function rfc2253(nodeDn: string): string {
  return nodeDn
    .split("\n")
    .filter((line) => line !== "")
    .reverse()
    .map((rdn) => rdn.replaceAll(" + ", "+"))
    .join(",");
}

/** Secret key bits a cipher suite uses (SSL_CIPHER_USEKEYSIZE / ALGKEYSIZE). */
export function cipherKeyBits(name: string): number {
  if (/AES_?128/.test(name)) return 128;
  if (/AES_?256|CHACHA20/.test(name)) return 256;
  if (/3DES|DES-CBC3/.test(name)) return 168;
  return 0;
}

/** The session id inside node's DER-encoded SSL_SESSION (RFC-less OpenSSL ASN.1:
 *  SEQUENCE { version, sslVersion, cipher, sessionID, ... }); null if unreadable. */
export function sessionIdOf(session: Buffer | undefined): string | null {
  if (session === undefined) return null;
  let at = 0;
  const header = (): { tag: number; length: number } | null => {
    const tag = session[at++];
    let length = session[at++];
    if (tag === undefined || length === undefined) return null;
    if (length & 0x80) {
      const bytes = length & 0x7f;
      length = 0;
      for (let i = 0; i < bytes; i += 1) length = length * 256 + (session[at++] ?? 0);
    }
    return { tag, length };
  };
  if (header()?.tag !== 0x30) return null;
  for (let field = 0; field < 4; field += 1) {
    const item = header();
    if (item === null) return null;
    if (field === 3) {
      if (item.tag !== 0x04) return null;
      return session
        .subarray(at, at + item.length)
        .toString("hex")
        .toUpperCase();
    }
    at += item.length;
  }
  return null;
}

function certificateVars(prefix: string, cert: X509Certificate, vars: Vars): void {
  vars[`${prefix}_M_VERSION`] = "3";
  vars[`${prefix}_M_SERIAL`] = cert.serialNumber.toUpperCase();
  vars[`${prefix}_S_DN`] = rfc2253(cert.subject);
  vars[`${prefix}_I_DN`] = rfc2253(cert.issuer);
  vars[`${prefix}_V_START`] = cert.validFrom;
  vars[`${prefix}_V_END`] = cert.validTo;
  const legacy = cert.toLegacyObject();
  for (const [part, dn] of [
    ["S_DN", legacy.subject],
    ["I_DN", legacy.issuer],
  ] as const) {
    for (const [short, name] of Object.entries(COMPONENTS)) {
      const value = (dn as unknown as Record<string, string | string[] | undefined>)[short];
      if (value !== undefined) vars[`${prefix}_${part}_${name}`] = [value].flat()[0] ?? "";
    }
  }
}

function clientVerify(socket: TLSSocket, presented: boolean): string {
  if (!presented) return "NONE";
  if (socket.authorized) return "SUCCESS";
  return `FAILED:${String(socket.authorizationError)}`;
}

/** The SSL_* variables of one connection, as they stand now. */
export function sslEnviron(socket: TLSSocket, now: Date = new Date()): Vars {
  const cipher = socket.getCipher();
  const bits = String(cipherKeyBits(cipher.name));
  const vars: Vars = {
    SSL_PROTOCOL: socket.getProtocol() ?? "",
    SSL_CIPHER: cipher.name,
    SSL_CIPHER_EXPORT: "false",
    SSL_CIPHER_USEKEYSIZE: bits,
    SSL_CIPHER_ALGKEYSIZE: bits,
    SSL_SESSION_RESUMED: socket.isSessionReused() ? "Resumed" : "Initial",
    SSL_VERSION_LIBRARY: `OpenSSL/${process.versions.openssl}`,
    SSL_VERSION_INTERFACE: `wsgi-express node/${process.versions.node}`,
  };
  const sessionId = sessionIdOf(socket.getSession());
  if (sessionId) vars.SSL_SESSION_ID = sessionId;
  const servername = (socket as TLSSocket & { servername?: string | false }).servername;
  if (typeof servername === "string" && servername) vars.SSL_TLS_SNI = servername;
  const own = socket.getX509Certificate();
  if (own) certificateVars("SSL_SERVER", own, vars);
  const peer = socket.getPeerX509Certificate();
  vars.SSL_CLIENT_VERIFY = clientVerify(socket, peer !== undefined);
  if (peer) {
    certificateVars("SSL_CLIENT", peer, vars);
    const remain = (Date.parse(peer.validTo) - now.getTime()) / 86_400_000;
    vars.SSL_CLIENT_V_REMAIN = String(Math.max(0, Math.floor(remain)));
    vars.SSL_CLIENT_CERT = peer.toString();
  }
  return vars;
}
