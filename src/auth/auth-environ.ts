/**
 * The environ the hook scripts are given: mod_wsgi's Auth_environ (wsgi_auth.c), a
 * cut-down CGI environment with no credentials in it (never Authorization or
 * Proxy-Authorization) and no SetEnv values; the helper adds the Python objects
 * (wsgi.errors, mod_wsgi.version). Pure.
 */
import type { IncomingMessage } from "node:http";
import { DEFAULT_SERVER_ADMIN, headerEnviron, type Environ } from "../exchange/environ.js";
import { requestUri } from "../http/intake.js";
import { decodePath, plainAddress, splitTarget } from "../http/request-target.js";

export interface AuthEnvironSettings {
  readonly serverSoftware: string;
  readonly serverName: string;
  readonly documentRoot: string;
}

export function authEnviron(req: IncomingMessage, settings: AuthEnvironSettings): Environ {
  const environ: Environ = {};
  headerEnviron(req.rawHeaders, environ);
  delete environ.HTTP_AUTHORIZATION;
  const socket = req.socket;
  const { path, query } = splitTarget(req.url ?? "/");
  const host = /^(\[[^\]]*\]|[^:]*)(?::(\d+))?$/.exec(environ.HTTP_HOST ?? "");
  Object.assign(environ, {
    // ServerSignature Off, as mod_wsgi-express configures Apache.
    SERVER_SIGNATURE: "",
    SERVER_SOFTWARE: settings.serverSoftware,
    // UseCanonicalName Off: from the Host header, as for the application.
    SERVER_NAME: (host?.[1] || settings.serverName).toLowerCase(),
    SERVER_ADDR: plainAddress(socket.localAddress),
    SERVER_PORT: host?.[2] ?? String(socket.localPort ?? 0),
    REMOTE_ADDR: plainAddress(socket.remoteAddress),
    REMOTE_PORT: String(socket.remotePort ?? 0),
    DOCUMENT_ROOT: settings.documentRoot,
    SERVER_ADMIN: DEFAULT_SERVER_ADMIN,
    SERVER_PROTOCOL: `HTTP/${req.httpVersion}`,
    REQUEST_METHOD: req.method ?? "GET",
    QUERY_STRING: query,
    REQUEST_URI: requestUri(req),
    // The whole URL path, with no path info: the check is for a location, not an app.
    SCRIPT_NAME: decodePath(path).replace(/\/{2,}/g, "/"),
    PATH_INFO: "",
    // The hooks run in the main interpreter (%{GLOBAL}), outside any process group.
    "mod_wsgi.process_group": "",
    "mod_wsgi.application_group": "",
  });
  return environ;
}
