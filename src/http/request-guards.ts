/**
 * The request checks node's parser (llhttp) leaves to us, and the status for each parse
 * error it reports. Pure: the front end calls these and does the answering.
 *
 * llhttp already refuses, as a 'clientError' (peers.md §4.7): Content-Length with
 * Transfer-Encoding, duplicate or list-form or signed Content-Length, a Transfer-Encoding
 * whose last coding is not chunked or that repeats chunked, bad chunk sizes and
 * extensions, bare CR or LF, obs-fold, NUL and controls in field values, whitespace
 * before the colon, empty names, HTTP versions other than 1.x, and heads over
 * maxHeaderSize. What it lets through is checked by `checkRequest`.
 */

/** Apache's LimitRequestLine default: a longer request target is answered 414. */
export const MAX_REQUEST_TARGET = 8190;

/**
 * Apache's LimitRequestLine, LimitRequestFields and LimitRequestFieldSize (our
 * --limit-request-line, --limit-request-fields, --limit-request-field-size; 0: no limit).
 * Statuses: a long request line is 414 URI Too Long, as Apache answers. Too many fields
 * or a field too long is 431 Request Header Fields Too Large (RFC 6585 §5) where Apache
 * answers 400: 431 names the problem exactly, and it is what the 64 KiB cap on the whole
 * head already answers, so a client sees one status for "your headers are too big".
 */
export interface HeaderLimits {
  readonly limitRequestLine: number;
  readonly limitRequestFields: number;
  readonly limitRequestFieldSize: number;
}

export const APACHE_HEADER_LIMITS: HeaderLimits = {
  limitRequestLine: MAX_REQUEST_TARGET,
  limitRequestFields: 100,
  limitRequestFieldSize: 8190,
};

export interface RequestLine {
  readonly method?: string | undefined;
  readonly url?: string | undefined;
  readonly httpVersion: string;
  /** name, value, name, value... with duplicates kept (req.headers hides them). */
  readonly rawHeaders: readonly string[];
}

/** Host: a reg-name, IPv4 or bracketed IPv6 literal, and an optional port (RFC 9110 §7.2). */
const HOST = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._~%!$&'()*+,;=-]+)(?::\d*)?$/;

/** The status a request gets from the front end alone, or null when it may go on. Every
 *  one of these closes the connection: what follows on it is not parsed. */
export function checkRequest(
  request: RequestLine,
  limits: HeaderLimits = APACHE_HEADER_LIMITS,
  /** It came over HTTP/2 (h2-compat.ts: its Host is in rawHeaders, from :authority). */
  http2 = false,
): number | null {
  const httpVersion = http2 ? "1.1" : request.httpVersion;
  const url = request.url ?? "";
  // node lets "HTTP/2.0" (and other majors) through as an HTTP/1 request line.
  if (httpVersion !== "1.1" && httpVersion !== "1.0") return 505;
  const { limitRequestLine, limitRequestFields } = limits;
  const lineLength = (request.method ?? "").length + url.length + 10;
  if (limitRequestLine > 0 && lineLength > limitRequestLine) return 414;
  const raw = request.rawHeaders;
  if (limitRequestFields > 0 && raw.length / 2 > limitRequestFields) return 431;
  // The asterisk-form with a method other than OPTIONS is refused with the target's
  // other forms, in request-path.ts.
  const fields = scanFields(raw, limits.limitRequestFieldSize);
  if (fields.oversized) return 431;
  const { hosts } = fields;
  if (hosts.length > 1) return 400;
  const host = hosts[0];
  if (host === undefined ? httpVersion === "1.1" : !HOST.test(host)) return 400;
  // Two Content-Types is a gunicorn 26.1 rejection: parsers disagree on which one wins.
  if (fields.contentTypes > 1) return 400;
  return checkTransferEncoding(fields.transferEncodings, httpVersion);
}

/** What checkRequest needs of the header fields, found in one pass over them. */
interface FieldScan {
  /** A `Name: value` line longer than --limit-request-field-size. */
  oversized: boolean;
  hosts: string[];
  contentTypes: number;
  transferEncodings: string[];
}

/** Lengths are of the lines as Apache reads them, without CRLF: `Name: value` (node
 *  strips the whitespace around a value, so one space after the colon is counted
 *  whatever was sent). A name is lower-cased only when its length is one looked for. */
function scanFields(raw: readonly string[], limitFieldSize: number): FieldScan {
  const scan: FieldScan = { oversized: false, hosts: [], contentTypes: 0, transferEncodings: [] };
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] ?? "";
    const value = raw[i + 1] ?? "";
    if (limitFieldSize > 0 && name.length + 2 + value.length > limitFieldSize) {
      scan.oversized = true;
      return scan;
    }
    switch (name.length) {
      case 4:
        if (name.toLowerCase() === "host") scan.hosts.push(value);
        break;
      case 12:
        if (name.toLowerCase() === "content-type") scan.contentTypes += 1;
        break;
      case 17:
        if (name.toLowerCase() === "transfer-encoding") scan.transferEncodings.push(value);
        break;
    }
  }
  return scan;
}

/** What llhttp lets through: empty list elements, other codings before chunked, and
 *  Transfer-Encoding on HTTP/1.0. */
function checkTransferEncoding(fields: readonly string[], httpVersion: string): number | null {
  if (fields.length === 0) return null;
  // RFC 9112 §6.1: a 1.0 message with Transfer-Encoding is faulty framing.
  if (httpVersion === "1.0") return 400;
  // Several fields are one list (RFC 9110 §5.3), as Apache merges them: `gzip` then
  // `chunked` on two lines is `gzip, chunked` (501), `chunked` twice is 400.
  const codings = fields
    .join(",")
    .split(",")
    .map((coding) => coding.replace(/^[ \t]+|[ \t]+$/g, ""));
  if (codings.some((coding) => coding === "")) return 400;
  // chunked must come last, once, or the body's end cannot be found (RFC 9112 §6.3: 400).
  const chunked = codings.filter((coding) => coding.toLowerCase() === "chunked").length;
  if (codings[codings.length - 1]?.toLowerCase() !== "chunked" || chunked > 1) return 400;
  // We decode only chunked; another coding (gzip, chunked) is not implemented (§6.1: 501).
  if (codings.length !== 1) return 501;
  return null;
}

/**
 * The status for a parse error node reports through 'clientError', or null when no answer
 * is due: the client went away, or sent bytes after a request that closes the connection
 * (node reports those too, and must not answer 400 in place of that request's response).
 */
export function clientErrorStatus(
  code: string | undefined,
  rawPacket?: Buffer,
  bytesParsed = 0,
): number | null {
  switch (code) {
    case "HPE_CLOSED_CONNECTION":
    case "ECONNRESET":
    case "EPIPE":
      return null;
    case "HPE_HEADER_OVERFLOW":
      return requestLineTooLong(rawPacket) ? 414 : 431;
    case "ERR_HTTP_REQUEST_TIMEOUT":
    case "HPE_HEADERS_TIMEOUT":
      return 408;
    case "HPE_INVALID_METHOD":
      // A well-formed method llhttp does not know (`BREW`, `get`): Apache hands it to
      // the app; node cannot parse past it, so 501 (RFC 9110 §9.1), not a 400 that
      // blames the client. A malformed token (`G@T`) is 400, as Apache answers.
      return REQUEST_LINE_START.test(lineAt(rawPacket, bytesParsed)) ? 501 : 400;
    case "HPE_INVALID_VERSION":
      // `HTTP/1.2`: Apache serves it as 1.1; node cannot, so 505. Garbage, or 1.0/1.1
      // refused for what follows it (a bare LF), is 400.
      return /^\S+ \S+ HTTP\/\d\.\d\r$/.test(lineAt(rawPacket, bytesParsed)) &&
        !/HTTP\/1\.[01]\r$/.test(lineAt(rawPacket, bytesParsed))
        ? 505
        : 400;
    default:
      return 400;
  }
}

/** The line of `rawPacket` that holds offset `at` (where llhttp stopped): a chunk may
 *  start with earlier, pipelined requests. */
function lineAt(rawPacket: Buffer | undefined, at: number): string {
  if (rawPacket === undefined) return "";
  const offset = Math.min(Math.max(at, 0), rawPacket.length);
  const start = offset === 0 ? 0 : rawPacket.lastIndexOf(10, offset - 1) + 1;
  const end = rawPacket.indexOf(10, start);
  return rawPacket.toString("latin1", start, end === -1 ? rawPacket.length : end);
}

/** A method token (RFC 9110 §9.1: a token) and the space after it. */
const REQUEST_LINE_START = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+ /;
/** The end of a request line: its HTTP version, then CR. */
const REQUEST_LINE_END = /HTTP\/\d\.\d\r?$/;

/**
 * True when the head overflowed while still in its request line. node reports only the
 * chunk that overflowed, not the head so far (watching the socket's earlier chunks would
 * take node's parser off its fast path for every request). The chunk's first line tells
 * when it starts the request (its length) or when a line ends in it (a request line ends
 * with the HTTP version). A chunk wholly inside one long line cannot tell a long target
 * from a long header value; it is taken for the target, as before.
 */
function requestLineTooLong(rawPacket: Buffer | undefined): boolean {
  if (rawPacket === undefined) return false;
  const text = rawPacket.toString("latin1");
  const end = text.indexOf("\n");
  if (REQUEST_LINE_START.test(text.slice(0, 32))) {
    return end === -1 ? text.length > MAX_REQUEST_TARGET : end > MAX_REQUEST_TARGET;
  }
  return end === -1 || REQUEST_LINE_END.test(text.slice(Math.max(0, end - 10), end));
}

/** The authority of an absolute-form target (`GET http://host:81/p`), which replaces the
 *  Host header (RFC 9112 §3.2.2); null for other forms. */
export function absoluteAuthority(url: string): string | null {
  const match = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/([^/?#]*)/.exec(url);
  return match ? (match[1] ?? "") : null;
}

/** rawHeaders with every Host replaced by `host` (or one added). */
export function withHost(rawHeaders: readonly string[], host: string): string[] {
  const result: string[] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    if (rawHeaders[i]?.toLowerCase() !== "host")
      result.push(rawHeaders[i] ?? "", rawHeaders[i + 1] ?? "");
  }
  result.push("Host", host);
  return result;
}
