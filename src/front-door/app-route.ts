/**
 * The stage that routes a request to the application: its path under the mount point
 * (SCRIPT_NAME / PATH_INFO), then the environ mod_wsgi would build for it, with the
 * forwarded headers of trusted proxies applied.
 */
import type { IncomingMessage } from "node:http";
import type { ServerConfig } from "../config/server-config.js";
import {
  buildEnviron,
  environBase,
  splitMount,
  type Environ,
  type EnvironBase,
  type EnvironSettings,
} from "../exchange/environ.js";
import { applyProxyTrust, proxyTrust, type ProxyTrust } from "../http/proxy-trust.js";
import { connectionId } from "../http/listener.js";
import { mountSlashLocation } from "../http/mount-slash.js";
import { requestUri } from "../http/intake.js";
import { absoluteAuthority, withHost } from "../http/request-guards.js";
import { decodePath, plainAddress, splitTarget } from "../http/request-target.js";
import { isTlsSocket } from "../http/tls.js";
import type { SecureSite } from "./secure-site.js";

export const SERVER_SOFTWARE = "wsgi-express";

/** An --error-document page the app serves: an internal GET for `document`, made
 *  because the request itself failed with `status`. */
export interface InternalRedirect {
  readonly status: number;
  readonly document: string;
}

export class AppRoute {
  private readonly settings: EnvironSettings;
  /** One environ base per listening port (its mod_wsgi.listener_port differs). */
  private readonly bases = new Map<number, EnvironBase>();
  private readonly trust: ProxyTrust;

  constructor(
    private readonly config: ServerConfig,
    /** Adds the SSL_* variables on HTTPS (--ssl-environment). */
    private readonly secure: SecureSite | null = null,
  ) {
    this.settings = environSettings(config);
    this.trust = proxyTrust(config.proxy.headers, config.proxy.proxies);
  }

  /** The environ of a request for the app; null when its path is not under the mount
   *  point, or holds an encoded NUL (a 404, as Apache answers before any handler). */
  environFor(
    req: IncomingMessage,
    id: string,
    redirect: InternalRedirect | null,
    /** "/" for a document-root file that is run: it is not under the app's mount. */
    mountPoint = this.settings.mountPoint,
  ): Environ | null {
    const target = redirect?.document ?? req.url ?? "/";
    const { path, query, uri } = splitTarget(target);
    const decoded = decodePath(path);
    const mount = decoded.includes("\0") ? null : splitMount(decoded, mountPoint);
    if (mount === null) return null;
    const socket = req.socket;
    const localPort = socket.localPort ?? 0;
    const environ = buildEnviron(
      {
        method: redirect === null ? (req.method ?? "GET") : "GET",
        target,
        httpVersion: req.httpVersion,
        rawHeaders: withAuthority(req),
        remoteAddress: plainAddress(socket.remoteAddress),
        remotePort: socket.remotePort ?? 0,
        localAddress: plainAddress(socket.localAddress),
        localPort,
        requestId: id,
        connectionId: connectionId(socket),
      },
      this.settings,
      this.baseFor(localPort, isTlsSocket(socket)),
      mount,
      query,
      redirect === null ? requestUri(req) : uri,
    );
    // --map-head-to-get (resolved with its Auto rule); the client still gets no body.
    if (this.config.site.mapHeadToGet && environ.REQUEST_METHOD === "HEAD") {
      environ.REQUEST_METHOD = "GET";
    }
    if (redirect !== null) describeRedirect(environ, req, redirect.status);
    this.secure?.environ(socket, environ);
    applyProxyTrust(environ, this.trust, environ.REMOTE_ADDR ?? "");
    return environ;
  }

  /** `/app` under --mount-point /app: 301 to `/app/`, as mod_dir's DirectorySlash. */
  slashRedirect(req: IncomingMessage): string | null {
    // At the root there is no bare mount point to redirect from (the common case).
    if (this.settings.mountPoint === "/") return null;
    const url = req.url ?? "/";
    const { path, uri } = splitTarget(url);
    const q = uri.indexOf("?");
    return mountSlashLocation(this.settings.mountPoint, {
      path: decodePath(path).replace(/\/{2,}/g, "/"),
      query: q === -1 ? null : uri.slice(q + 1),
      host: absoluteAuthority(url) ?? req.headers.host,
      serverName: this.settings.serverName,
      localPort: req.socket.localPort ?? 0,
      secure: isTlsSocket(req.socket),
    });
  }

  private baseFor(localPort: number, https: boolean): EnvironBase {
    let base = this.bases.get(localPort);
    if (base === undefined) {
      base = environBase(this.bases.size + 1, this.settings, localPort, https);
      this.bases.set(localPort, base);
    }
    return base;
  }
}

/** Apache's internal redirect to an ErrorDocument: the page learns what failed. */
function describeRedirect(environ: Environ, req: IncomingMessage, status: number): void {
  environ.REDIRECT_STATUS = String(status);
  environ.REDIRECT_URL = splitTarget(req.url ?? "/").path;
  environ.REDIRECT_REQUEST_METHOD = req.method ?? "GET";
}

/** Absolute-form (GET http://host/path): its authority is the Host (RFC 9112 §3.2.2). */
function withAuthority(req: IncomingMessage): readonly string[] {
  const authority = absoluteAuthority(req.url ?? "/");
  return authority === null ? req.rawHeaders : withHost(req.rawHeaders, authority);
}

function environSettings(config: ServerConfig): EnvironSettings {
  const { application, listen } = config;
  return {
    mountPoint: application.mountPoint,
    serverName: listen.serverName,
    serverSoftware: SERVER_SOFTWARE,
    documentRoot: config.site.documentRoot,
    scriptFilename: application.type === "script" ? (application.entryPoint ?? "") : "",
    processGroup: application.processGroup,
    applicationGroup: application.applicationGroup,
    callableObject: application.callableObject,
    listenerHost: listen.host ?? "",
    requestEnviron: config.requestEnviron,
  };
}
