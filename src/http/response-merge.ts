/**
 * Duplicate response headers from the application, combined as mod_wsgi-express sends
 * them. In daemon mode (express's default) the front end reads the daemon's response
 * head as CGI headers (mod_wsgi 6 wsgi_remote.c, wsgi_scan_headers_brigade, a copy of
 * Apache's ap_scan_script_header_err_core) and:
 * - Content-Type, Location, Content-Length, Content-Range, Transfer-Encoding and
 *   Last-Modified are set, not added: the last one wins;
 * - Set-Cookie and WWW-Authenticate stay separate lines (browsers choke on them merged);
 * - every other name is collected and merged by apr_table_overlap(...,
 *   APR_OVERLAP_TABLES_MERGE): one line, the values joined with ", " (RFC 9110 §5.3),
 *   under the first spelling of the name.
 * Content-Type's media type is lower-cased (ap_content_type_tolower), its parameters kept.
 * Pure.
 */

const LAST_WINS = new Set([
  "content-type",
  "location",
  "content-length",
  "content-range",
  "transfer-encoding",
  "last-modified",
]);
const SEPARATE = new Set(["set-cookie", "www-authenticate"]);

/** `headers` is flat [name, value, ...]; the answer is too, in first-seen order. */
export function mergeResponseHeaders(headers: readonly string[]): string[] {
  if (headers.length <= 2 * FEW && !hasDuplicateName(headers)) return lowerContentType(headers);
  const seen = new Map<string, number>();
  const merged: string[] = [];
  for (let i = 0; i + 1 < headers.length; i += 2) {
    const name = headers[i] as string;
    let value = headers[i + 1] as string;
    const key = name.toLowerCase();
    if (key === "content-type") value = lowerMediaType(value);
    const at = SEPARATE.has(key) ? undefined : seen.get(key);
    if (at === undefined) {
      seen.set(key, merged.length);
      merged.push(name, value);
    } else if (LAST_WINS.has(key)) {
      merged[at + 1] = value;
    } else {
      merged[at + 1] = `${merged[at + 1] ?? ""}, ${value}`;
    }
  }
  return merged;
}

/** Up to this many headers, duplicates are looked for pair by pair: no Map and no
 *  lower-cased names per response for the common head where every name is distinct. */
const FEW = 16;

function hasDuplicateName(headers: readonly string[]): boolean {
  for (let i = 2; i < headers.length; i += 2) {
    const name = headers[i] as string;
    for (let j = 0; j < i; j += 2) {
      const other = headers[j] as string;
      // Equal lengths first: only then a case-insensitive compare.
      if (other.length === name.length && other.toLowerCase() === name.toLowerCase()) return true;
    }
  }
  return false;
}

const CONTENT_TYPE = /^content-type$/i;

/** A copy with Content-Type's media type lower-cased, the rest as it was. */
function lowerContentType(headers: readonly string[]): string[] {
  const out = headers.slice(0, headers.length & ~1);
  for (let i = 0; i < out.length; i += 2) {
    const name = out[i] as string;
    if (name.length === 12 && CONTENT_TYPE.test(name))
      out[i + 1] = lowerMediaType(out[i + 1] as string);
  }
  return out;
}

/** `Text/HTML; Charset=UTF-8` -> `text/html; Charset=UTF-8`, as Apache's
 *  ap_content_type_tolower (only the part before the first `;`). */
export function lowerMediaType(value: string): string {
  const semi = value.indexOf(";");
  return semi === -1 ? value.toLowerCase() : value.slice(0, semi).toLowerCase() + value.slice(semi);
}
