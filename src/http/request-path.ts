/**
 * The request target as Apache 2.4 takes it in, before any routing (issue #23 items 3, 4,
 * 6, 7). Pure: classify the target's form, then normalise its path the way
 * ap_process_request_internal() does:
 *
 *   1. percent-escapes of unreserved characters are decoded (AP_NORMALIZE_DECODE_UNRESERVED),
 *      so `%2e%2e` is `..` from here on
 *   2. runs of `/` are merged (MergeSlashes On, Apache's default)
 *   3. dot segments are removed (RFC 3986 §5.2.4); a path that climbs above the root is
 *      refused with 400 (AP_NORMALIZE_NOT_ABOVE_ROOT)
 *   4. the rest is checked as ap_unescape_url() does: a malformed escape is 400, an
 *      encoded `/` (AllowEncodedSlashes Off) or NUL is 404
 */

export type TargetForm = "origin" | "absolute" | "asterisk";

export type TargetVerdict =
  | { readonly kind: "refuse"; readonly status: number }
  | {
      readonly kind: "accept";
      readonly form: TargetForm;
      /** The target to route by: the same form, its path normalised, no #fragment. */
      readonly url: string;
    };

/** Host of an authority: a reg-name, IPv4 or bracketed IPv6 literal, and an optional
 *  port (RFC 3986 §3.2.2). No userinfo: see classifyTarget. */
const AUTHORITY = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._~%!$&'()*+,;=-]+)(?::\d*)?$/;
const ABSOLUTE = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\/([^/?#]*)(.*)$/s;
/** What normalizePath could change: an escape, a `//` run, a segment starting with `.`. */
const NEEDS_NORMALISING = /%|\/\/|\/\./;
/** RFC 3986 §2.3 unreserved characters. */
const UNRESERVED = /[A-Za-z0-9._~-]/;

/**
 * Sorts a target into the forms of RFC 9112 §3.2 and normalises its path. Anything else
 * is 400, as Apache answers: a target that is no URI (`s://]ufd/:`), credentials in an
 * absolute-form target (`http://user:pass@host/`: Apache refuses userinfo, RFC 9110
 * §4.2.4 deprecates it), `*` with a method other than OPTIONS. The authority-form is
 * CONNECT's only, which node hands to the server's 'connect' event, never here.
 */
export function classifyTarget(method: string, target: string): TargetVerdict {
  const hash = target.indexOf("#");
  const url = hash === -1 ? target : target.slice(0, hash);
  if (url === "*") return method === "OPTIONS" ? accept("asterisk", url) : refuse(400);
  if (url.startsWith("/")) return withPath("origin", "", url);
  const absolute = ABSOLUTE.exec(url);
  if (absolute === null) return refuse(400);
  const [, scheme = "", authority = "", rest = ""] = absolute;
  // No proxy here (mod_proxy is off in mod_wsgi-express): only our own schemes.
  if (!/^https?$/i.test(scheme) || !AUTHORITY.test(authority)) return refuse(400);
  if (rest !== "" && !rest.startsWith("/") && !rest.startsWith("?")) return refuse(400);
  const prefix = `${scheme}://${authority}`;
  return withPath("absolute", prefix, rest.startsWith("/") ? rest : "/" + rest);
}

function withPath(form: TargetForm, prefix: string, pathAndQuery: string): TargetVerdict {
  const q = pathAndQuery.indexOf("?");
  const path = q === -1 ? pathAndQuery : pathAndQuery.slice(0, q);
  const query = q === -1 ? "" : pathAndQuery.slice(q);
  const normal = normalizePath(path);
  if (typeof normal === "number") return refuse(normal);
  return accept(form, prefix + normal + query);
}

/** The path normalised (steps 1-4 above), still percent-encoded; or the status that
 *  refuses it. `rawPath` starts with `/`. */
export function normalizePath(rawPath: string): string | number {
  // Most paths have no escape, no `//` and no dot segment: nothing below would change
  // them, and one test is all they cost.
  if (!NEEDS_NORMALISING.test(rawPath)) return rawPath;
  const decoded = decodeUnreserved(rawPath);
  if (decoded === null) return 400;
  const merged = decoded.replace(/\/{2,}/g, "/");
  const path = removeDotSegments(merged);
  if (path === null) return 400;
  // ap_unescape_url: an encoded `/` or NUL names no resource (404, not 400).
  if (/%(?:2f|00)/i.test(path)) return 404;
  return path;
}

/** Decodes `%XX` escapes of unreserved characters; null when an escape is malformed
 *  (Apache: 400 "invalid URI path"). */
export function decodeUnreserved(path: string): string | null {
  if (!path.includes("%")) return path;
  if (/%(?![0-9A-Fa-f]{2})/.test(path)) return null;
  return path.replace(/%([0-9A-Fa-f]{2})/g, (escape, hex: string) => {
    const char = String.fromCharCode(parseInt(hex, 16));
    return UNRESERVED.test(char) ? char : escape.toUpperCase();
  });
}

/**
 * RFC 3986 §5.2.4 remove_dot_segments for an absolute path: `/a/../b` is `/b`, `/./a` is
 * `/a`, `/a/.` is `/a/`. Null when a `..` would climb above the root, which Apache
 * refuses (400) where RFC 3986 would silently stop at the root.
 */
export function removeDotSegments(path: string): string | null {
  const segments = path.split("/").slice(1);
  const out: string[] = [];
  for (const [index, segment] of segments.entries()) {
    if (segment === "." || segment === "..") {
      if (segment === ".." && out.pop() === undefined) return null;
      // A path ending in a dot segment names a directory: keep its trailing slash.
      if (index === segments.length - 1) out.push("");
    } else {
      out.push(segment);
    }
  }
  return "/" + out.join("/");
}

function accept(form: TargetForm, url: string): TargetVerdict {
  return { kind: "accept", form, url };
}

function refuse(status: number): TargetVerdict {
  return { kind: "refuse", status };
}
