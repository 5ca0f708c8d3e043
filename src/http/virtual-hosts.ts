/**
 * mod_wsgi-express's name-based virtual hosts (reference §1.1), as a pure decision.
 * Without --server-name one `_default_` vhost serves everything. With it, the Host header
 * must name the server or one of its aliases; anything else lands in the catch-all vhost,
 * which answers 403 unless --allow-localhost lets a loopback client through. A `www.`
 * server name also gets a vhost for the bare domain that redirects there permanently.
 */

export interface HostRules {
  /** `--server-name`; null: no virtual hosts, every request is served. */
  readonly serverName: string | null;
  readonly aliases: readonly string[];
  readonly allowLocalhost: boolean;
}

export type HostVerdict =
  | { readonly kind: "serve" }
  | { readonly kind: "forbidden" }
  | { readonly kind: "redirect"; readonly location: string };

export interface HostRequest {
  /** The Host header, if any. */
  readonly host: string | undefined;
  readonly remoteAddress: string;
  /** The request target as sent (origin-form), kept in the redirect. */
  readonly uri: string;
  /** The port the server listens on, as the redirect names it. */
  readonly port: number;
  /** The listener's scheme: the HTTPS vhost for the bare domain redirects to https. */
  readonly scheme?: "http" | "https";
}

const SERVE: HostVerdict = { kind: "serve" };
const FORBIDDEN: HostVerdict = { kind: "forbidden" };

export function checkHost(rules: HostRules, request: HostRequest): HostVerdict {
  if (rules.serverName === null) return SERVE;
  const name = hostName(request.host);
  const serverName = rules.serverName.toLowerCase();
  if (name !== null) {
    if (name === serverName || rules.aliases.some((alias) => matchesAlias(alias, name))) {
      return SERVE;
    }
    // `Redirect permanent / http://<server-name>:<port>/` keeps the rest of the path.
    if (serverName.startsWith("www.") && name === serverName.slice(4)) {
      const path = request.uri.startsWith("/") ? request.uri : "/";
      const scheme = request.scheme ?? "http";
      return {
        kind: "redirect",
        location: `${scheme}://${rules.serverName}:${request.port}${path}`,
      };
    }
  }
  // `Require host localhost` on the catch-all vhost.
  if (rules.allowLocalhost && isLoopback(request.remoteAddress)) return SERVE;
  return FORBIDDEN;
}

/** The host name of a Host header, lower-cased, without port or trailing dot. */
export function hostName(host: string | undefined): string | null {
  if (host === undefined) return null;
  const match = /^(\[[^\]]*\]|[^:]*)(?::\d*)?$/.exec(host.trim());
  const name = match?.[1]?.toLowerCase().replace(/\.$/, "");
  return name ? name : null;
}

/** Apache ServerAlias wildcards: `*` any run of characters, `?` one character. */
export function matchesAlias(alias: string, name: string): boolean {
  const pattern = alias
    .toLowerCase()
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${pattern}$`).test(name);
}

export function isLoopback(address: string): boolean {
  return address === "::1" || /^127\./.test(address) || address.startsWith("::ffff:127.");
}
