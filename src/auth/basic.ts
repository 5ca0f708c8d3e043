/** HTTP Basic authentication (RFC 7617), as Apache's mod_auth_basic reads it. */

export interface BasicCredentials {
  readonly user: string;
  readonly password: string;
}

/** The user and password of an `Authorization: Basic ...` header; null when there is
 *  no such header or it names another scheme (the client is then challenged). */
export function basicCredentials(header: string | undefined): BasicCredentials | null {
  if (header === undefined) return null;
  const match = /^Basic[ \t]+([A-Za-z0-9+/=._~-]*)[ \t]*$/i.exec(header);
  if (match === null) return null;
  // Latin-1, as mod_wsgi hands the decoded bytes to check_password (and RFC 7617 §2.1
  // leaves the charset to a `charset` parameter we do not send).
  const decoded = Buffer.from(match[1] ?? "", "base64").toString("latin1");
  // The user-id cannot hold a colon (RFC 7617 §2); without one, the password is empty,
  // as ap_get_basic_auth_pw splits it.
  const colon = decoded.indexOf(":");
  if (colon === -1) return { user: decoded, password: "" };
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** The challenge of a 401 (RFC 7617 §2: realm, and the charset we expect). */
export function basicChallenge(realm: string): string {
  return `Basic realm="${quoteValue(realm)}"`;
}

/** A quoted-string's content (RFC 9110 §5.6.4): `"` and `\` escaped. */
export function quoteValue(value: string): string {
  return value.replace(/["\\]/g, "\\$&");
}
