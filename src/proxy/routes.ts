/**
 * Which requests the reverse proxy takes, and the path each is sent to. Pure.
 *
 * mod_wsgi-express writes, per --proxy-mount-point PATH URL, `ProxyPass PATH/ URL/` and a
 * `LocationMatch ^PATH$` that redirects (302) the bare path to PATH/; per
 * --proxy-virtual-host NAME URL, a VirtualHost NAME with `ProxyPass / URL`. Apache takes
 * the first ProxyPass that matches in the order written; here the longest mount point
 * wins whatever the order, which is what that order is usually meant to express.
 */
import type {
  ProxyBackend,
  ProxyMount,
  ReverseProxyConfig,
} from "../config/resolve-proxy-routes.js";
import { mountSlashLocation } from "../http/mount-slash.js";
import { splitTarget } from "../http/request-target.js";
import { hostName } from "../http/virtual-hosts.js";

/** A request the proxy takes. */
export interface ProxyForward {
  readonly kind: "forward";
  readonly backend: ProxyBackend;
  /** The mount point (`/` for the root) or the virtual host, for log lines. */
  readonly label: string;
  /** X-Forwarded-Prefix: the mount point without its trailing slash; null for a
   *  virtual host (mod_wsgi-express sets none there). */
  readonly prefix: string | null;
  /** The back end's request target: its base path, the rest of the path, the query. */
  readonly target: string;
}

/** The bare mount point: a redirect to it with a slash. */
export interface ProxyRedirect {
  readonly kind: "redirect";
  readonly location: string;
}

export type ProxyRoute = ProxyForward | ProxyRedirect;

/** What routing needs of a request, after intake (its target normalised). */
export interface RouteRequest {
  /** req.url: origin-form or absolute-form, path normalised, still percent-encoded. */
  readonly url: string;
  /** The Host header, or an absolute-form target's authority. */
  readonly host: string | undefined;
  readonly serverName: string;
  readonly localPort: number;
  readonly secure: boolean;
}

export class ProxyRoutes {
  private readonly hosts: ReadonlyMap<string, ProxyBackend>;
  private readonly mounts: readonly ProxyMount[];

  constructor(config: ReverseProxyConfig) {
    this.hosts = new Map(config.hosts.map((host) => [host.name, host.backend]));
    this.mounts = config.mounts;
  }

  /** True when no route is configured: the proxy stage is left out. */
  get empty(): boolean {
    return this.hosts.size === 0 && this.mounts.length === 0;
  }

  /** A --proxy-virtual-host route for the request's Host: all of its paths. */
  forHost(request: RouteRequest): ProxyForward | null {
    if (this.hosts.size === 0) return null;
    const name = hostName(request.host);
    const backend = name === null ? undefined : this.hosts.get(name);
    if (backend === undefined || name === null) return null;
    const { uri } = splitTarget(request.url);
    return { kind: "forward", backend, label: name, prefix: null, target: backend.basePath + uri };
  }

  /** A --proxy-mount-point route: the longest mount point the path is under. */
  forPath(request: RouteRequest): ProxyRoute | null {
    if (this.mounts.length === 0) return null;
    const { path, uri } = splitTarget(request.url);
    for (const mount of this.mounts) {
      if (path === mount.path && mount.path !== "") return redirect(mount.path, request);
      if (!path.startsWith(mount.path + "/")) continue;
      const rest = uri.slice(mount.path.length);
      const { backend } = mount;
      const label = mount.path || "/";
      return {
        kind: "forward",
        backend,
        label,
        prefix: mount.path,
        target: backend.basePath + rest,
      };
    }
    return null;
  }
}

function redirect(mountPath: string, request: RouteRequest): ProxyRedirect {
  const q = request.url.indexOf("?");
  const location = mountSlashLocation(mountPath, {
    path: mountPath,
    query: q === -1 ? null : request.url.slice(q + 1),
    host: request.host,
    serverName: request.serverName,
    localPort: request.localPort,
    secure: request.secure,
  });
  // mountSlashLocation answers for any path equal to a mount point other than `/`.
  return { kind: "redirect", location: location ?? `${mountPath}/` };
}
