/**
 * Builds the CGI part of a request's WSGI environ, as mod_wsgi does (reference §6.8),
 * from the parsed request. Pure: no I/O, so every rule is unit-tested.
 */

export interface EnvironInput {
  readonly method: string;
  /** The request target exactly as sent (origin-form or absolute-form). */
  readonly target: string;
  readonly httpVersion: string;
  /** node's rawHeaders: name, value, name, value... with duplicates kept. */
  readonly rawHeaders: readonly string[];
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly localAddress: string;
  readonly localPort: number;
  readonly scheme: "http" | "https";
  readonly requestId: string;
  readonly connectionId: string;
}

export interface EnvironSettings {
  readonly mountPoint: string;
  readonly serverName: string;
  readonly serverSoftware: string;
  readonly documentRoot: string;
  readonly scriptFilename: string;
  readonly processGroup: string;
  readonly applicationGroup: string;
  readonly callableObject: string;
  readonly listenerHost: string;
  readonly requestEnviron: readonly (readonly [string, string])[];
}

export type Environ = Record<string, string>;

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

/** Where the app is mounted: SCRIPT_NAME is the mount point, PATH_INFO the rest. Null:
 *  the path is outside the mount point. Runs of `/` are collapsed, as mod_wsgi does. */
export function splitMount(
  decodedPath: string,
  mountPoint: string,
): { scriptName: string; pathInfo: string } | null {
  const path = decodedPath.replace(/\/{2,}/g, "/");
  if (mountPoint === "/") return { scriptName: "", pathInfo: path };
  if (path === mountPoint) return { scriptName: mountPoint, pathInfo: "" };
  if (path.startsWith(mountPoint + "/")) {
    return { scriptName: mountPoint, pathInfo: path.slice(mountPoint.length) };
  }
  return null;
}

/** A header name Apache passes on: letters, digits and `-` only. Others (`X_Forwarded_For`)
 *  are dropped so they cannot pose as a dashed header once both become HTTP_X_FORWARDED_FOR. */
const PASSABLE_NAME = /^[A-Za-z0-9-]+$/;

export function headerEnviron(rawHeaders: readonly string[], environ: Environ): void {
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] as string;
    const value = rawHeaders[i + 1] as string;
    if (!PASSABLE_NAME.test(name)) continue;
    const upper = name.toUpperCase().replace(/-/g, "_");
    // httpoxy: a client-supplied Proxy header must never become HTTP_PROXY.
    if (upper === "PROXY") continue;
    const key = upper === "CONTENT_TYPE" || upper === "CONTENT_LENGTH" ? upper : "HTTP_" + upper;
    const previous = environ[key];
    environ[key] = previous === undefined ? value : `${previous}, ${value}`;
  }
}

function hostParts(host: string | undefined): { name: string; port: string } | null {
  if (!host) return null;
  const match = /^(\[[^\]]*\]|[^:]*)(?::(\d*))?$/.exec(host);
  if (!match) return null;
  return { name: match[1] ?? "", port: match[2] ?? "" };
}

export function buildEnviron(
  input: EnvironInput,
  settings: EnvironSettings,
  mount: { scriptName: string; pathInfo: string },
  query: string,
  uri: string,
): Environ {
  const environ: Environ = {};
  headerEnviron(input.rawHeaders, environ);
  // UseCanonicalName Off (Apache's default): SERVER_NAME/PORT come from the Host header.
  const host = hostParts(environ.HTTP_HOST);
  Object.assign(environ, {
    REQUEST_METHOD: input.method,
    REQUEST_URI: uri,
    SCRIPT_NAME: mount.scriptName,
    PATH_INFO: mount.pathInfo,
    QUERY_STRING: query,
    SERVER_PROTOCOL: `HTTP/${input.httpVersion}`,
    SERVER_NAME: host?.name || settings.serverName,
    SERVER_PORT: host?.port || String(input.localPort),
    SERVER_ADDR: input.localAddress,
    SERVER_SOFTWARE: settings.serverSoftware,
    REMOTE_ADDR: input.remoteAddress,
    REMOTE_PORT: String(input.remotePort),
    REQUEST_SCHEME: input.scheme,
    DOCUMENT_ROOT: settings.documentRoot,
    CONTEXT_DOCUMENT_ROOT: settings.documentRoot,
    CONTEXT_PREFIX: "",
    SCRIPT_FILENAME: settings.scriptFilename,
    "wsgi.url_scheme": input.scheme,
    "mod_wsgi.process_group": settings.processGroup,
    "mod_wsgi.application_group": settings.applicationGroup,
    "mod_wsgi.callable_object": settings.callableObject,
    "mod_wsgi.request_handler": "wsgi-handler",
    "mod_wsgi.handler_script": "",
    "mod_wsgi.script_name": mount.scriptName,
    "mod_wsgi.path_info": mount.pathInfo,
    "mod_wsgi.listener_host": settings.listenerHost,
    "mod_wsgi.listener_port": String(input.localPort),
    "mod_wsgi.server_pid": String(process.pid),
    "mod_wsgi.request_id": input.requestId,
    "mod_wsgi.connection_id": input.connectionId,
  });
  for (const [key, value] of settings.requestEnviron) environ[key] = value;
  return environ;
}

/** Strips the IPv4-mapped prefix a dual-stack socket reports (`::ffff:127.0.0.1`). */
export function plainAddress(address: string | undefined): string {
  if (!address) return "";
  return address.startsWith("::ffff:") ? address.slice(7) : address;
}
