/**
 * The header fields a proxied request and its response carry, as Apache's mod_proxy_http
 * and mod_wsgi-express's generated configuration set them. Pure.
 *
 * - Hop-by-hop fields (RFC 9110 §7.6.1: Connection and the fields it names, Keep-Alive,
 *   Proxy-Connection, TE, Transfer-Encoding, Upgrade) are removed both ways; an upgrade
 *   is asked for again by the client library (undici's `upgrade` option). Expect is
 *   answered here (the front end sends 100 Continue itself, as mod_proxy does).
 * - Host is the back end's (ProxyPreserveHost Off, Apache's default).
 * - X-Forwarded-For, X-Forwarded-Host and X-Forwarded-Server are appended to any the
 *   client sent (mod_proxy_http's apr_table_mergen): the client's address, its Host,
 *   the server's name.
 * - X-Forwarded-Port (the port the request came in on), X-Forwarded-Scheme (`https`
 *   over TLS) and X-Forwarded-Prefix (the mount point) are set as mod_wsgi-express's
 *   `RequestHeader set` lines set them. Apache leaves a client's own X-Forwarded-Scheme
 *   or -Prefix in place where it sets none (plain HTTP, a virtual host); here they are
 *   removed, so a back end that believes them cannot be told `https` by any client.
 */

const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
]);

/** Set here, whatever the client sent. */
const REPLACED = new Set([
  "host",
  "expect",
  "x-forwarded-port",
  "x-forwarded-scheme",
  "x-forwarded-prefix",
]);

const APPENDED = ["x-forwarded-for", "x-forwarded-host", "x-forwarded-server"] as const;

/** What the forwarded fields are made of. */
export interface ForwardFacts {
  /** The back end's Host: its URL's host[:port]. */
  readonly backendHost: string;
  /** The client's address (X-Forwarded-For). */
  readonly clientAddress: string;
  /** The Host the client sent, if any (X-Forwarded-Host). */
  readonly host: string | undefined;
  /** --server-name (X-Forwarded-Server: Apache's ServerName). */
  readonly serverName: string;
  readonly localPort: number;
  readonly secure: boolean;
  /** The mount point, without its trailing slash; null or "" sends none. */
  readonly prefix: string | null;
}

/** The field names the Connection fields of `raw` list, lower-cased. */
function connectionTokens(raw: readonly string[]): Set<string> {
  const tokens = new Set<string>();
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if ((raw[i] as string).toLowerCase() !== "connection") continue;
    for (const token of (raw[i + 1] as string).split(",")) {
      const name = token.trim().toLowerCase();
      if (name !== "") tokens.add(name);
    }
  }
  return tokens;
}

/** The request's fields for the back end, flat [name, value, ...] as undici takes them. */
export function requestHeaders(raw: readonly string[], facts: ForwardFacts): string[] {
  const named = connectionTokens(raw);
  const out: string[] = [];
  const appended = new Map<string, string[]>(APPENDED.map((name) => [name, []]));
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] as string;
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower) || named.has(lower) || REPLACED.has(lower)) continue;
    const merged = appended.get(lower);
    if (merged === undefined) out.push(name, raw[i + 1] as string);
    else merged.push(raw[i + 1] as string);
  }
  const add = (name: string, value: string | undefined): void => {
    const lower = name.toLowerCase();
    const values = [...(appended.get(lower) ?? []), ...(value === undefined ? [] : [value])];
    if (values.length > 0) out.push(name, values.join(", "));
  };
  out.push("Host", facts.backendHost);
  add("X-Forwarded-For", facts.clientAddress);
  add("X-Forwarded-Host", facts.host);
  add("X-Forwarded-Server", facts.serverName);
  out.push("X-Forwarded-Port", String(facts.localPort));
  if (facts.secure) out.push("X-Forwarded-Scheme", "https");
  if (facts.prefix) out.push("X-Forwarded-Prefix", facts.prefix);
  return out;
}

/** The back end's response fields for the client, hop-by-hop ones removed; `mapUrl`
 *  rewrites the URL fields ProxyPassReverse rewrites (Location, Content-Location, URI). */
export function responseHeaders(
  raw: readonly (Buffer | string)[],
  mapUrl: (url: string) => string,
): string[] {
  const text = raw.map((value) => (typeof value === "string" ? value : value.toString("latin1")));
  const named = connectionTokens(text);
  const out: string[] = [];
  for (let i = 0; i + 1 < text.length; i += 2) {
    const name = text[i] as string;
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower) || named.has(lower)) continue;
    const value = text[i + 1] as string;
    const mapped = lower === "location" || lower === "content-location" || lower === "uri";
    out.push(name, mapped ? mapUrl(value) : value);
  }
  return out;
}

/** The fields of a 101 response relayed to the client: all of them, Connection and
 *  Upgrade included (they are the switch itself); Keep-Alive and the like are not. */
export function upgradeHeaders(raw: readonly (Buffer | string)[]): string[] {
  const text = raw.map((value) => (typeof value === "string" ? value : value.toString("latin1")));
  const out: string[] = [];
  for (let i = 0; i + 1 < text.length; i += 2) {
    const lower = (text[i] as string).toLowerCase();
    if (lower === "connection" || lower === "upgrade" || !HOP_BY_HOP.has(lower)) {
      out.push(text[i] as string, text[i + 1] as string);
    }
  }
  return out;
}

/**
 * ProxyPassReverse: a URL of the back end (its origin and base path) in a response
 * field becomes the same URL under the mount point on this server, built as Apache
 * builds it (ap_construct_url: the client's Host, UseCanonicalName Off). Only absolute
 * URLs: a path-only Location is left as the back end wrote it, as Apache leaves it.
 * Set-Cookie paths are left alone (mod_wsgi-express sets no ProxyPassReverseCookiePath).
 */
export function reverseMapper(backendBase: string, frontBase: string): (url: string) => string {
  return (url) => {
    if (url === backendBase) return frontBase + "/";
    if (url.startsWith(backendBase + "/") || url.startsWith(backendBase + "?")) {
      const rest = url.slice(backendBase.length);
      return frontBase + (rest.startsWith("?") ? "/" + rest : rest);
    }
    return url;
  };
}

/** This server's origin as the client named it: scheme://host[:port], the port left out
 *  when it is the scheme's default. */
export function frontOrigin(
  host: string | undefined,
  serverName: string,
  localPort: number,
  secure: boolean,
): string {
  const scheme = secure ? "https" : "http";
  const match = /^(\[[^\]]*\]|[^:]*)(?::(\d*))?$/.exec(host?.trim() ?? "");
  const name = (match?.[1] || serverName).toLowerCase();
  const port = match?.[1] ? match[2] || "" : String(localPort);
  const shown = port === "" || port === (secure ? "443" : "80") ? "" : `:${port}`;
  return `${scheme}://${name}${shown}`;
}
