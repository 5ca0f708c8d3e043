/**
 * Which static resource, if any, a request path names (STYLE.md practice 10). Pure: the
 * guard clauses run in order, and only what passes them reaches the file system.
 *
 *   1. decode each segment (an undecodable or encoded-slash segment names no file)
 *   2. reject NUL (404, as Apache's ap_unescape_url)
 *   3. normalise: empty and `.` segments dropped (`//` collapsed)
 *   4. reject `..` (400), also when it arrived encoded as `%2e%2e`
 *   5. URL aliases (longest first), else the document root
 *   6. dotfile policy: a segment starting with `.` is never served from disk
 * The last guard, "resolve under the root" (symlinks), is src/static/locate.ts.
 */
import type { UrlAlias } from "../config/server-config.js";

export type Route =
  /** The whole request is refused with this status. */
  | { readonly kind: "reject"; readonly status: number }
  /** No static resource: the application's (only from the document root). */
  | { readonly kind: "app" }
  /** Under a URL alias but not servable: 404, never the application (Apache's Alias). */
  | { readonly kind: "missing" }
  | {
      readonly kind: "disk";
      /** The directory (or, for a file alias, the file) the segments are under. */
      readonly root: string;
      readonly segments: readonly string[];
      /** From a URL alias (a missing file is 404) rather than the document root. */
      readonly alias: boolean;
      /** The URL path ended with `/` (a directory's canonical form). */
      readonly trailingSlash: boolean;
    };

export interface RouteSettings {
  readonly documentRoot: string;
  readonly urlAliases: readonly UrlAlias[];
}

const APP: Route = { kind: "app" };
const MISSING: Route = { kind: "missing" };

/** `rawPath` is the request target's path, still percent-encoded, without the query. */
export function routeStatic(rawPath: string, settings: RouteSettings): Route {
  const segments: string[] = [];
  let undecodable = false;
  for (const raw of rawPath.split("/")) {
    const segment = decodeSegment(raw);
    if (segment === null) {
      undecodable = true;
      continue;
    }
    if (segment.includes("\0")) return { kind: "reject", status: 404 };
    if (segment === "" || segment === ".") continue;
    if (segment === "..") return { kind: "reject", status: 400 };
    segments.push(segment);
  }
  const trailingSlash = rawPath.endsWith("/");
  const alias = findAlias(segments, settings.urlAliases);
  if (alias === null) {
    if (undecodable || segments.some(isDotfile)) return APP;
    return { kind: "disk", root: settings.documentRoot, segments, alias: false, trailingSlash };
  }
  const rest = segments.slice(alias.depth);
  if (undecodable || rest.some(isDotfile)) return MISSING;
  return { kind: "disk", root: alias.target, segments: rest, alias: true, trailingSlash };
}

/** Percent-decodes one segment as UTF-8; null when it is malformed or hides a `/`. */
export function decodeSegment(raw: string): string | null {
  if (!raw.includes("%")) return raw;
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    return null;
  }
  // Apache's AllowEncodedSlashes Off: an encoded slash never splits a path.
  return decoded.includes("/") ? null : decoded;
}

function isDotfile(segment: string): boolean {
  return segment.startsWith(".");
}

/** Apache's Alias: the URL path must match whole segments. */
function findAlias(
  segments: readonly string[],
  aliases: readonly UrlAlias[],
): { target: string; depth: number } | null {
  for (const alias of aliases) {
    const prefix = alias.urlPath.split("/").filter((part) => part !== "");
    if (prefix.length > segments.length) continue;
    if (prefix.every((part, i) => segments[i] === part)) {
      return { target: alias.target, depth: prefix.length };
    }
  }
  return null;
}
