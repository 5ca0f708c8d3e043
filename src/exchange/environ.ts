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

/** SERVER_ADMIN: mod_wsgi-express writes no ServerAdmin and has no option for it, so
 *  Apache's compiled-in default (httpd.h DEFAULT_ADMIN) is what its apps see. */
export const DEFAULT_SERVER_ADMIN = "[no address given]";

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
    // httpoxy: a client-supplied Proxy header must never become HTTP_PROXY. And
    // Proxy-Authorization is meant for a proxy, never the app: mod_wsgi drops it even
    // with WSGIPassAuthorization On (which passes only Authorization).
    if (upper === "PROXY" || upper === "PROXY_AUTHORIZATION") continue;
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

/**
 * The keys every request on one listening port shares. A daemon connection is sent them
 * once (ENVIRON_BASE) and each request's environ inherits them, so a REQUEST_HEAD carries
 * only what differs per request.
 */
export interface EnvironBase {
  readonly id: number;
  readonly environ: Readonly<Environ>;
}

const bases = new WeakMap<object, EnvironBase>();

export function environBase(
  id: number,
  settings: EnvironSettings,
  localPort: number,
  https = false,
): EnvironBase {
  const scheme = https ? "https" : "http";
  const environ: Environ = {
    SERVER_SOFTWARE: settings.serverSoftware,
    REQUEST_SCHEME: scheme,
    DOCUMENT_ROOT: settings.documentRoot,
    CONTEXT_DOCUMENT_ROOT: settings.documentRoot,
    CONTEXT_PREFIX: "",
    SCRIPT_FILENAME: settings.scriptFilename,
    SERVER_ADMIN: DEFAULT_SERVER_ADMIN,
    "wsgi.url_scheme": scheme,
    "mod_wsgi.process_group": settings.processGroup,
    "mod_wsgi.application_group": settings.applicationGroup,
    "mod_wsgi.callable_object": settings.callableObject,
    "mod_wsgi.request_handler": "wsgi-handler",
    "mod_wsgi.handler_script": "",
    "mod_wsgi.listener_host": settings.listenerHost,
    "mod_wsgi.listener_port": String(localPort),
    "mod_wsgi.server_pid": String(process.pid),
  };
  // mod_wsgi sets HTTPS=1 for a TLS connection (and turns it into wsgi.url_scheme).
  if (https) environ.HTTPS = "1";
  for (const [key, value] of settings.requestEnviron) environ[key] = value;
  // Not frozen: assigning a key that is read-only up the prototype chain would throw,
  // and a request may override any base key (proxy headers, --map-head-to-get...).
  const base = { id, environ };
  bases.set(base.environ, base);
  return base;
}

/** The base a request's environ inherits from (built by buildEnviron). */
export function baseOf(environ: Environ): EnvironBase {
  const base = bases.get(Object.getPrototypeOf(environ) as object);
  if (base === undefined) throw new Error("environ was not built on an EnvironBase");
  return base;
}

/**
 * A request's environ: its own keys over the listener's base (reads see both; the
 * protocol sends only the own ones). --setenv/--pass-environ values win over request
 * keys of the same name, as they did when applied last.
 */
export function buildEnviron(
  input: EnvironInput,
  settings: EnvironSettings,
  base: EnvironBase,
  mount: { scriptName: string; pathInfo: string },
  query: string,
  uri: string,
): Environ {
  const environ = Object.create(base.environ) as Environ;
  headerEnviron(input.rawHeaders, environ);
  // UseCanonicalName Off (Apache's default): SERVER_NAME/PORT come from the Host header.
  const host = hostParts(environ.HTTP_HOST);
  environ.REQUEST_METHOD = input.method;
  environ.REQUEST_URI = uri;
  environ.SCRIPT_NAME = mount.scriptName;
  environ.PATH_INFO = mount.pathInfo;
  environ.QUERY_STRING = query;
  environ.SERVER_PROTOCOL = `HTTP/${input.httpVersion}`;
  // Apache lowercases the host name it takes from Host (fix_hostname); HTTP_HOST stays.
  environ.SERVER_NAME = (host?.name || settings.serverName).toLowerCase();
  environ.SERVER_PORT = host?.port || String(input.localPort);
  environ.SERVER_ADDR = input.localAddress;
  environ.REMOTE_ADDR = input.remoteAddress;
  environ.REMOTE_PORT = String(input.remotePort);
  environ["mod_wsgi.script_name"] = mount.scriptName;
  environ["mod_wsgi.path_info"] = mount.pathInfo;
  environ["mod_wsgi.request_id"] = input.requestId;
  environ["mod_wsgi.connection_id"] = input.connectionId;
  for (const [key, value] of settings.requestEnviron) {
    if (Object.hasOwn(environ, key)) environ[key] = value;
  }
  return environ;
}
