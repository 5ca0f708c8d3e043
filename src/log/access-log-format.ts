/**
 * Apache LogFormat strings compiled once into a function of the request record.
 * Supports the directives people put in access logs (mod_log_config):
 * %h %a %A %l %u %t %r %m %U %q %H %s %>s %b %B %D %T %p %P %{Name}i %{Name}o %%.
 */
import { accessLogTime } from "./apache-time.js";

export const NAMED_FORMATS: Readonly<Record<string, string>> = {
  common: '%h %l %u %t "%r" %>s %b',
  combined: '%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-agent}i"',
};

export interface AccessRecord {
  readonly remoteAddress: string;
  readonly localAddress: string;
  readonly localPort: number;
  readonly remoteUser: string | null;
  readonly time: Date;
  readonly method: string;
  /** The request target as the client sent it. */
  readonly url: string;
  readonly protocol: string;
  readonly status: number;
  readonly bodyBytes: number;
  readonly durationMicros: number;
  readonly requestHeader: (name: string) => string | undefined;
  readonly responseHeader: (name: string) => string | undefined;
}

type Piece = (record: AccessRecord) => string;

const dash = (value: string | undefined | null): string =>
  value === undefined || value === null || value === "" ? "-" : value;

function path(url: string): string {
  const q = url.indexOf("?");
  return q === -1 ? url : url.slice(0, q);
}

function query(url: string): string {
  const q = url.indexOf("?");
  return q === -1 ? "" : url.slice(q);
}

/** A client-chosen value made safe for one log line, as Apache's ap_escape_logitem:
 *  `"` and `\` backslashed, control and non-ASCII characters as \xhh. */
export function escapeLogItem(value: string | null): string | null {
  if (value === null) return null;
  return value.replace(/["\\]|[^\x20-\x7e]/g, (c) => {
    if (c === '"' || c === "\\") return "\\" + c;
    const code = c.charCodeAt(0);
    return code < 0x100 ? "\\x" + code.toString(16).padStart(2, "0") : encodeURIComponent(c);
  });
}

const SIMPLE: Readonly<Record<string, Piece>> = {
  h: (r) => r.remoteAddress,
  a: (r) => r.remoteAddress,
  A: (r) => r.localAddress,
  l: () => "-",
  // The user name came from the client (or its script): never a raw quote or newline.
  u: (r) => dash(escapeLogItem(r.remoteUser)),
  t: (r) => accessLogTime(r.time),
  r: (r) => `${r.method} ${r.url} ${r.protocol}`,
  m: (r) => r.method,
  U: (r) => path(r.url),
  q: (r) => query(r.url),
  H: (r) => r.protocol,
  s: (r) => String(r.status),
  b: (r) => (r.bodyBytes === 0 ? "-" : String(r.bodyBytes)),
  B: (r) => String(r.bodyBytes),
  D: (r) => String(Math.round(r.durationMicros)),
  T: (r) => String(Math.floor(r.durationMicros / 1e6)),
  p: (r) => String(r.localPort),
  P: () => String(process.pid),
};

/** Compiles a format, resolving `common` and `combined` by name. Throws on an unknown directive. */
export function compileAccessLogFormat(format: string): (record: AccessRecord) => string {
  const source = NAMED_FORMATS[format] ?? format;
  const pieces: Piece[] = [];
  const directive = /%(?:\{([^}]*)\})?([<>]?)([a-zA-Z%])/g;
  let last = 0;
  for (const match of source.matchAll(directive)) {
    const literal = source.slice(last, match.index);
    if (literal) pieces.push(() => literal);
    last = match.index + match[0].length;
    const [, argument, , letter] = match;
    pieces.push(directivePiece(letter ?? "", argument, match[0]));
  }
  const tail = source.slice(last);
  if (tail) pieces.push(() => tail);
  return (record) => pieces.map((piece) => piece(record)).join("");
}

function directivePiece(letter: string, argument: string | undefined, text: string): Piece {
  if (letter === "%") return () => "%";
  if (argument !== undefined && letter === "i") return (r) => dash(r.requestHeader(argument));
  if (argument !== undefined && letter === "o") return (r) => dash(r.responseHeader(argument));
  if (argument !== undefined && letter === "t") return (r) => accessLogTime(r.time);
  const piece = SIMPLE[letter];
  if (!piece) throw new Error(`unsupported access log directive ${text}`);
  return piece;
}
