/**
 * Forwarded headers from trusted proxies, as mod_wsgi 6 applies them (reference §8.2,
 * CVE-2022-2255): for every category of header the operator trusts, every synonym is
 * removed from the environ unless it came from a trusted proxy and was the one applied.
 * Pure: the peer address and environ come in, the environ is rewritten in place.
 */
import { BlockList, isIP } from "node:net";
import { PROXY_HEADERS } from "../config/proxy-headers.js";

/** The CGI variables of a request, as the exchange builds them. */
type Environ = Record<string, string>;

export interface ProxyTrust {
  /** Lower-case header names from --trust-proxy-header. */
  readonly headers: readonly string[];
  readonly proxies: BlockList;
}

export function proxyTrust(headers: readonly string[], proxies: readonly string[]): ProxyTrust {
  const list = new BlockList();
  for (const proxy of proxies) {
    const [address = "", prefix] = proxy.split("/");
    const type = isIP(address) === 6 ? "ipv6" : "ipv4";
    if (prefix === undefined) list.addAddress(address, type);
    else list.addSubnet(address, Number(prefix), type);
  }
  return { headers, proxies: list };
}

export function isTrusted(trust: ProxyTrust, address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  return trust.proxies.check(address, family === 6 ? "ipv6" : "ipv4");
}

const environKey = (header: string): string => "HTTP_" + header.toUpperCase().replace(/-/g, "_");

/** Applies the trusted headers of a request from `peer` and strips the rest. */
export function applyProxyTrust(environ: Environ, trust: ProxyTrust, peer: string): void {
  if (trust.headers.length === 0) return;
  const fromProxy = isTrusted(trust, peer);
  const categories = new Set(trust.headers.map((header) => PROXY_HEADERS[header]));
  const applied = new Set<string>();
  if (fromProxy) {
    for (const header of trust.headers) {
      const value = environ[environKey(header)];
      if (value !== undefined && apply(environ, trust, header, value)) applied.add(header);
    }
  }
  for (const [header, category] of Object.entries(PROXY_HEADERS)) {
    if (categories.has(category) && !applied.has(header))
      Reflect.deleteProperty(environ, environKey(header));
  }
}

/** Applies one header; false when its value is unusable (then it is removed too). */
function apply(environ: Environ, trust: ProxyTrust, header: string, value: string): boolean {
  switch (PROXY_HEADERS[header]) {
    case "client":
      return applyClient(environ, trust, header, value);
    case "host":
      return set(environ, "HTTP_HOST", lastElement(value), /^[^\s/\\@]+$/);
    case "server":
      return set(environ, "SERVER_NAME", lastElement(value), /^[^\s/\\@:]+$/);
    case "port":
      return set(environ, "SERVER_PORT", value.trim(), /^\d{1,5}$/);
    case "script":
      return applyScriptName(environ, value.trim());
    case "scheme":
      return applyScheme(environ, lastElement(value).toLowerCase());
    case "https":
      return applyHttps(environ, value.trim().toLowerCase());
    default:
      return false;
  }
}

function set(environ: Environ, key: string, value: string, valid: RegExp): boolean {
  if (!valid.test(value)) return false;
  environ[key] = value;
  return true;
}

/** The element a list-valued header got from the proxy nearest to us. */
function lastElement(value: string): string {
  const parts = value
    .split(",")
    .map((part) => part.trim())
    .filter(Boolean);
  return parts[parts.length - 1] ?? "";
}

/**
 * X-Forwarded-For: walk from the right past trusted proxies; the client is the entry just
 * left of them (the first if all are trusted), and the header is rewritten to start there.
 * Empty elements are ignored (mod_wsgi 6.0 fix: `a,,b` gave an empty REMOTE_ADDR).
 */
function applyClient(environ: Environ, trust: ProxyTrust, header: string, value: string): boolean {
  const entries = value
    .split(",")
    .map((part) => part.trim())
    .filter(Boolean);
  let index = entries.length - 1;
  while (index > 0 && isTrusted(trust, entries[index] ?? "")) index -= 1;
  const client = entries[index];
  if (client === undefined || isIP(client) === 0) return false;
  environ.REMOTE_ADDR = client;
  if (header === "x-forwarded-for") environ[environKey(header)] = entries.slice(index).join(", ");
  return true;
}

function applyScriptName(environ: Environ, value: string): boolean {
  if (!/^\/[^\s]*$/.test(value) || value.includes("/../") || value.endsWith("/..")) return false;
  const scriptName = value.replace(/\/+$/, "");
  environ.SCRIPT_NAME = scriptName;
  environ["mod_wsgi.script_name"] = scriptName;
  environ["mod_wsgi.mount_point"] = scriptName;
  return true;
}

function applyScheme(environ: Environ, scheme: string): boolean {
  if (scheme !== "http" && scheme !== "https") return false;
  setScheme(environ, scheme);
  return true;
}

function applyHttps(environ: Environ, flag: string): boolean {
  if (["on", "true", "1"].includes(flag)) setScheme(environ, "https");
  else if (["off", "false", "0"].includes(flag)) setScheme(environ, "http");
  else return false;
  return true;
}

function setScheme(environ: Environ, scheme: "http" | "https"): void {
  environ["wsgi.url_scheme"] = scheme;
  environ.REQUEST_SCHEME = scheme;
  if (scheme === "https") environ.HTTPS = "1";
  else delete environ.HTTPS;
}
