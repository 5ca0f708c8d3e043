/**
 * HTTP/0.9 request lines (`GET /path` and no version), answered at once with 400 and
 * closed, as Apache 2.4 answers them (HttpProtocolOptions Require1.0, its default).
 *
 * node's parser (llhttp) takes such a line for HTTP/0.9 and then waits for a header
 * section that a 0.9 client never sends, so nothing reaches the server until the header
 * timeout (408). No event carries the bytes: node feeds the socket to its parser natively.
 * What it does call is the parser's per-read hook (kOnExecute), and the parser can show
 * the chunk it just read (getCurrentBuffer). So the first line of a connection is read
 * there, for the first reads only; after the first line ends the hook is node's own
 * again. A 0.9 line pipelined after another request is not seen: it still ends in 408.
 */
import type { Duplex } from "node:stream";

/** Bytes of the first line looked at; past them the request-line limit takes over. */
const FIRST_LINE_LIMIT = 16 * 1024;

type Hook = (...args: unknown[]) => unknown;
interface NodeParser {
  getCurrentBuffer?: () => Buffer;
  [key: number]: Hook | undefined;
}

/** What the first line received so far says. */
export function firstLineVerdict(received: string): "wait" | "ok" | "versionless" {
  const end = received.indexOf("\n");
  if (end === -1) return received.length >= FIRST_LINE_LIMIT ? "ok" : "wait";
  const line = received.slice(0, end).replace(/\r$/, "");
  // Method SP target and nothing more: no HTTP-version (RFC 9112 §3).
  return /^[^ ]+ [^ ]+$/.test(line) ? "versionless" : "ok";
}

/** Calls `onVersionless` when the connection's first request line has no version. */
export function watchFirstLine(socket: Duplex, onVersionless: () => void): void {
  const parser = (socket as Duplex & { parser?: NodeParser | null }).parser;
  const key = (parser?.constructor as { kOnExecute?: unknown } | undefined)?.kOnExecute;
  if (!parser || typeof key !== "number" || typeof parser.getCurrentBuffer !== "function") {
    return;
  }
  const original = parser[key];
  if (typeof original !== "function") return;
  let received = "";
  const hook = function (this: unknown, ...args: unknown[]): unknown {
    const chunk = parser.getCurrentBuffer?.();
    if (chunk) received += chunk.toString("latin1", 0, FIRST_LINE_LIMIT - received.length);
    const verdict = firstLineVerdict(received);
    if (verdict !== "wait" && parser[key] === hook) parser[key] = original;
    if (verdict === "versionless") onVersionless();
    return Reflect.apply(original, this, args);
  };
  parser[key] = hook;
}
