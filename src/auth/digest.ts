/**
 * HTTP Digest authentication (RFC 7616) as Apache's mod_auth_digest offers it: MD5 with
 * qop=auth. The password check needs H(A1) = MD5(user:realm:password), which is what
 * mod_wsgi's get_realm_hash returns; SHA-256 would need a SHA-256 H(A1) that contract
 * cannot give, so it is not offered. Pure: the nonces are NonceBook's (nonces.ts).
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { quoteValue } from "./basic.js";

export interface DigestResponse {
  readonly username: string;
  readonly realm: string;
  readonly nonce: string;
  readonly uri: string;
  readonly response: string;
  readonly cnonce: string;
  /** The nonce count, as sent (8 hex digits) and as a number. */
  readonly nc: string;
  readonly count: number;
  readonly opaque: string | null;
}

/** What an Authorization header holds: nothing for us (challenge the client), a Digest
 *  response, or a Digest header we cannot use (400, as mod_auth_digest answers). */
export type DigestHeader =
  | { readonly kind: "absent" }
  | { readonly kind: "malformed"; readonly why: string }
  | { readonly kind: "digest"; readonly response: DigestResponse };

// auth-param = token BWS "=" BWS ( token / quoted-string ), comma separated (RFC 9110 §11.2).
const PARAM =
  /^[ \t]*([!#$%&'*+.^_`|~0-9A-Za-z-]+)[ \t]*=[ \t]*(?:"((?:[^"\\]|\\.)*)"|([^ \t,"]*))[ \t]*(?:,|$)/;

/** The auth-params after `Digest `, names lower-cased; null when they do not parse. */
export function digestParams(text: string): Map<string, string> | null {
  const params = new Map<string, string>();
  let rest = text;
  while (rest.trim() !== "") {
    const match = PARAM.exec(rest);
    if (match === null || match[0] === "") return null;
    const name = (match[1] ?? "").toLowerCase();
    const value = match[2] !== undefined ? match[2].replace(/\\(.)/g, "$1") : (match[3] ?? "");
    if (params.has(name)) return null;
    params.set(name, value);
    rest = rest.slice(match[0].length);
  }
  return params;
}

export function parseDigest(header: string | undefined): DigestHeader {
  if (header === undefined) return { kind: "absent" };
  const scheme = /^Digest(?:[ \t]+|$)/i.exec(header);
  if (scheme === null) return { kind: "absent" };
  const params = digestParams(header.slice(scheme[0].length));
  if (params === null) return { kind: "malformed", why: "its parameters do not parse" };
  const field = (name: string): string => params.get(name) ?? "";
  for (const name of ["username", "realm", "nonce", "uri", "response", "cnonce", "nc"]) {
    if (!params.has(name)) return { kind: "malformed", why: `it has no ${name}` };
  }
  // Only qop=auth is offered: without qop (RFC 2069) there is no count to stop a replay.
  if (field("qop").toLowerCase() !== "auth") {
    return { kind: "malformed", why: `qop ${JSON.stringify(field("qop"))} was not offered` };
  }
  const algorithm = params.get("algorithm");
  if (algorithm !== undefined && algorithm.toUpperCase() !== "MD5") {
    return { kind: "malformed", why: `algorithm ${JSON.stringify(algorithm)} was not offered` };
  }
  if (!/^[0-9a-fA-F]{8}$/.test(field("nc"))) {
    return { kind: "malformed", why: "its nc is not 8 hex digits" };
  }
  return {
    kind: "digest",
    response: {
      username: field("username"),
      realm: field("realm"),
      nonce: field("nonce"),
      uri: field("uri"),
      response: field("response").toLowerCase(),
      cnonce: field("cnonce"),
      nc: field("nc"),
      count: parseInt(field("nc"), 16),
      opaque: params.get("opaque") ?? null,
    },
  };
}

/** The WWW-Authenticate challenge (RFC 7616 §3.3); `stale` when the nonce was ours but
 *  too old, so that the client retries with the new one without asking its user. */
export function digestChallenge(
  realm: string,
  nonce: string,
  opaque: string,
  stale: boolean,
): string {
  const stalePart = stale ? ", stale=true" : "";
  return (
    `Digest realm="${quoteValue(realm)}", qop="auth", algorithm=MD5, ` +
    `nonce="${nonce}", opaque="${opaque}"${stalePart}`
  );
}

const md5 = (text: string): string => createHash("md5").update(text, "latin1").digest("hex");

/** Whether the client's response proves it knows the password whose H(A1) is `ha1`
 *  (RFC 7616 §3.4.1, qop=auth: KD(H(A1), nonce:nc:cnonce:qop:H(method:uri))). */
export function digestMatches(answer: DigestResponse, method: string, ha1: string): boolean {
  const ha2 = md5(`${method}:${answer.uri}`);
  const expected = md5(
    `${ha1.toLowerCase()}:${answer.nonce}:${answer.nc}:${answer.cnonce}:auth:${ha2}`,
  );
  const given = Buffer.from(answer.response, "latin1");
  const wanted = Buffer.from(expected, "latin1");
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}
