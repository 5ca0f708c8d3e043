/** The request target and addresses, as node:http gives them, in the forms the rest of
 *  the server uses. Pure. */

/** Splits a target into path and query, dropping any #fragment (it never reaches the app). */
export function splitTarget(target: string): { path: string; query: string; uri: string } {
  let uri = target;
  const hash = uri.indexOf("#");
  if (hash !== -1) uri = uri.slice(0, hash);
  // Absolute-form (RFC 9112 §3.2.2): the path starts after the authority.
  const absolute = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/?]*/.exec(uri);
  if (absolute) uri = uri.slice(absolute[0].length) || "/";
  if (uri.startsWith("?")) uri = "/" + uri;
  const q = uri.indexOf("?");
  return q === -1
    ? { path: uri, query: "", uri }
    : { path: uri.slice(0, q), query: uri.slice(q + 1), uri };
}

/**
 * Percent-decodes a path into a latin-1 "native string": each decoded byte becomes one
 * code point below U+0100 (PEP 3333). Invalid escapes are kept as written.
 */
export function decodePath(path: string): string {
  if (!path.includes("%")) return path;
  return path.replace(/%([0-9a-fA-F]{2})/g, (_, hex: string) =>
    String.fromCharCode(parseInt(hex, 16)),
  );
}

/** Strips the IPv4-mapped prefix a dual-stack socket reports (`::ffff:127.0.0.1`). */
export function plainAddress(address: string | undefined): string {
  if (!address) return "";
  return address.startsWith("::ffff:") ? address.slice(7) : address;
}
