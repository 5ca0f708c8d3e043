/**
 * A request for the mount point itself without its trailing slash (`/app` under
 * `--mount-point /app`), answered as mod_wsgi-express answers it: 301 to `/app/`. Its
 * generated config maps the mount point to a directory under the document root, so
 * mod_rewrite leaves a slash-less request for that directory alone (RewriteOptions
 * AllowNoSlash is off) and mod_dir's DirectorySlash redirects it, the query kept
 * (`/app?q` -> `/app/?q`), to an absolute URL built from the Host header
 * (ap_construct_url, UseCanonicalName Off). Only the exact mount path: `/app/x` and
 * `/app/` are the app's. Pure.
 */

export interface SlashRequest {
  /** The normalised path (dot segments and `//` runs gone), still percent-encoded. */
  readonly path: string;
  /** The query, or null when the target had no `?`. */
  readonly query: string | null;
  /** The Host header (or an absolute-form target's authority); may be absent. */
  readonly host: string | undefined;
  /** The server's name, used without a Host (HTTP/1.0). */
  readonly serverName: string;
  readonly localPort: number;
  readonly secure: boolean;
}

/** The Location to redirect to, or null when the request is not for the bare mount point. */
export function mountSlashLocation(mountPoint: string, request: SlashRequest): string | null {
  if (mountPoint === "/" || request.path !== mountPoint) return null;
  const scheme = request.secure ? "https" : "http";
  const match = /^(\[[^\]]*\]|[^:]*)(?::(\d*))?$/.exec(request.host?.trim() ?? "");
  const name = (match?.[1] || request.serverName).toLowerCase();
  const port = match?.[1] ? match[2] || "" : String(request.localPort);
  // ap_construct_url leaves out the scheme's default port.
  const shown = port === "" || port === (request.secure ? "443" : "80") ? "" : `:${port}`;
  const query = request.query === null ? "" : `?${request.query}`;
  return `${scheme}://${name}${shown}${mountPoint}/${query}`;
}
