/**
 * An HTTP/2 response head sent in one step, for the common case: the relay's flat
 * [name, value, ...] list and nothing set on the response before.
 *
 * node's compatibility API takes such a head field by field (removeHeader, then
 * appendHeader, each validating and lower-casing the name), and always responds with
 * `waitForTrailers`: the last DATA frame goes out without END_STREAM, node emits
 * 'wantTrailers' once the body is written, the compatibility layer answers with an empty
 * trailer list in a setImmediate, and nghttp2 ends the stream in a frame of its own. The
 * relay never adds trailers, so here the head becomes the header object once, the same
 * checks applied (node:http's validateHeaderName/validateHeaderValue, as the
 * compatibility layer's assertValidHeader), and the stream is answered without waiting
 * for trailers: END_STREAM rides on the last DATA frame (RFC 9113 §8.1).
 */
import { validateHeaderName, validateHeaderValue, type OutgoingHttpHeaders } from "node:http";

/** RFC 9113 §8.2.2: connection-specific fields a response over HTTP/2 must not carry. */
export const CONNECTION_SPECIFIC: ReadonlySet<string> = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "transfer-encoding",
  "upgrade",
]);

/**
 * The fields of a flat [name, value, ...] head as the object http2's respond() takes:
 * names lower-cased, repeated fields gathered into arrays in their order (Set-Cookie),
 * connection-specific ones dropped. Null when the list is not a flat list of string or
 * number values, or names a pseudo-header: the compatibility layer's own path then
 * handles (and refuses) it as before. Throws as node does for an invalid name or value.
 */
export function respondFields(
  list: readonly unknown[],
  statusCode: number,
): OutgoingHttpHeaders | null {
  if (list.length % 2 !== 0) return null;
  const fields: OutgoingHttpHeaders = {};
  for (let i = 0; i < list.length; i += 2) {
    const name = list[i];
    const value = list[i + 1];
    if (typeof name !== "string" || name.startsWith(":")) return null;
    if (typeof value !== "string" && typeof value !== "number") return null;
    const text = String(value);
    validateHeaderName(name);
    validateHeaderValue(name, text);
    const key = name.toLowerCase();
    if (CONNECTION_SPECIFIC.has(key)) continue;
    const earlier = fields[key];
    if (earlier === undefined) fields[key] = text;
    else if (Array.isArray(earlier)) earlier.push(text);
    else fields[key] = [String(earlier), text];
  }
  fields[":status"] = statusCode;
  return fields;
}
