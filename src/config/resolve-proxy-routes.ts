/** --proxy-mount-point (and its old name --proxy-url-alias), --proxy-virtual-host and
 *  --proxy-timeout: the reverse proxy's routes (reference options 43, 74-76), which
 *  mod_wsgi-express writes as ProxyPass / ProxyPassReverse lines. */
import { isAbsolute } from "node:path";
import { optionError } from "../errors.js";
import type { OptionReader } from "./option-reader.js";

/** One back end as a proxy URL names it. */
export interface ProxyBackend {
  /** The URL as given, for log lines. */
  readonly url: string;
  /** `http://host:port` (or https) the connections go to; for a Unix socket, the origin
   *  of the URL after the `|`, which then only names the Host. */
  readonly origin: string;
  /** `unix:/path|http://...`: the socket to connect to; null for TCP. */
  readonly socketPath: string | null;
  /** The URL's path without its trailing slash: `""` or `/prefix`. */
  readonly basePath: string;
  /** The Host the back end is sent: the URL's host[:port] (ProxyPreserveHost Off,
   *  Apache's default). */
  readonly host: string;
}

export interface ProxyMount {
  /** The URL path without its trailing slash (`""` for `/`), percent-encoded as
   *  request paths are after intake. */
  readonly path: string;
  readonly backend: ProxyBackend;
}

export interface ProxyHost {
  /** Lower-case host name, compared with the request's Host without its port. */
  readonly name: string;
  readonly backend: ProxyBackend;
}

export interface ReverseProxyConfig {
  /** Longest path first: the longest matching mount point wins. */
  readonly mounts: readonly ProxyMount[];
  readonly hosts: readonly ProxyHost[];
  /** Seconds to wait for a response head, and the longest silence within a body (Apache
   *  ProxyTimeout); 0: no limit. */
  readonly timeout: number;
}

const URL_FORM = "http(s)://HOST[:PORT][/PREFIX] or unix:/SOCKET|http://HOST[/PREFIX]";
/** ws: and wss: as mod_proxy_wstunnel takes them: the same back end over HTTP(S). */
const SCHEMES: Readonly<Record<string, string>> = {
  "http:": "http:",
  "https:": "https:",
  "ws:": "http:",
  "wss:": "https:",
};
const HOST_NAME =
  /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i;

export function resolveProxyRoutes(options: OptionReader): ReverseProxyConfig {
  const mounts = options.pairs("proxy-mount-point").map(([path, url]) => ({
    path: mountPath(path),
    backend: proxyBackend("--proxy-mount-point", url),
  }));
  const hosts = options.pairs("proxy-virtual-host").map(([name, url]) => ({
    name: hostName(name),
    backend: proxyBackend("--proxy-virtual-host", url),
  }));
  once(
    "--proxy-mount-point",
    mounts.map((mount) => mount.path || "/"),
  );
  once(
    "--proxy-virtual-host",
    hosts.map((host) => host.name),
  );
  const timeout = options.optionalNumber("proxy-timeout") ?? options.number("socket-timeout");
  return { mounts: mounts.sort((a, b) => b.path.length - a.path.length), hosts, timeout };
}

/** `/api` and `/api/` are the same mount point (mod_wsgi-express proxies both as `/api/`
 *  and redirects `/api`). */
function mountPath(path: string): string {
  if (!/^\/[^\s?#]*$/.test(path)) {
    throw optionError(
      "WSGIX_ERR_OPTION_VALUE",
      "--proxy-mount-point",
      "a URL path such as /api",
      path,
    );
  }
  // Request paths are matched percent-encoded (http/request-path.ts keeps them so).
  return path.replace(/\/+$/, "").replace(/[^\x21-\x7e]/g, (c) => encodeURIComponent(c));
}

function hostName(name: string): string {
  if (!HOST_NAME.test(name)) {
    throw optionError("WSGIX_ERR_OPTION_VALUE", "--proxy-virtual-host", "a host name", name);
  }
  return name.toLowerCase();
}

/** Parses a proxy URL: `http://host:port/prefix`, or Apache's `unix:/path|http://host/prefix`. */
export function proxyBackend(option: string, url: string): ProxyBackend {
  const bar = url.indexOf("|");
  const unix = /^unix:/i.test(url) && bar !== -1;
  const socketPath = unix ? url.slice("unix:".length, bar) : null;
  if (socketPath !== null && !isAbsolute(socketPath)) {
    throw optionError(
      "WSGIX_ERR_OPTION_VALUE",
      option,
      `${URL_FORM} (an absolute socket path)`,
      url,
    );
  }
  const parsed = parseUrl(unix ? url.slice(bar + 1) : url);
  const scheme = parsed === null ? undefined : SCHEMES[parsed.protocol];
  if (parsed === null || scheme === undefined || badParts(parsed)) {
    throw optionError("WSGIX_ERR_OPTION_VALUE", option, URL_FORM, url);
  }
  return {
    url,
    origin: `${scheme}//${parsed.host}`,
    socketPath,
    basePath: parsed.pathname.replace(/\/+$/, ""),
    host: parsed.host,
  };
}

function parseUrl(text: string): URL | null {
  try {
    return new URL(text);
  } catch {
    return null;
  }
}

/** Credentials, a query or a fragment have no place in a ProxyPass URL. */
function badParts(url: URL): boolean {
  return (
    url.hostname === "" ||
    url.username !== "" ||
    url.password !== "" ||
    url.search !== "" ||
    url.hash !== ""
  );
}

function once(option: string, keys: readonly string[]): void {
  const seen = new Set<string>();
  for (const key of keys) {
    if (seen.has(key)) throw optionError("WSGIX_ERR_OPTION_VALUE", option, "each given once", key);
    seen.add(key);
  }
}
