/**
 * Re-validates a response head from a daemon before any of it reaches the client.
 * A header with CR, LF or NUL would let an app (or an attacker echoing input through
 * it) split the response; such a head becomes a logged 500 (peers.md §4).
 */
import { mergeResponseHeaders } from "../http/response-merge.js";
import type { AppResponseHead } from "./backend.js";

export interface CheckedHead {
  readonly statusCode: number;
  readonly reason: string;
  /** Flat [name, value, name, value...] as node's writeHead takes, duplicates merged. */
  readonly headers: string[];
  /** The app's Content-Length, or null when it sent none. */
  readonly contentLength: number | null;
}

// 1xx heads are the server's business (100 Continue); an app cannot send one through WSGI.
const STATUS = /^[2-9]\d\d(?: [\t\x20-\x7e\x80-\xff]*)?$/;

/** The status code of a status line STATUS matched. */
function threeDigits(status: string): number {
  return (
    (status.charCodeAt(0) - 48) * 100 +
    (status.charCodeAt(1) - 48) * 10 +
    (status.charCodeAt(2) - 48)
  );
}
/** RFC 9110 §5.6.2 token. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Field value characters node itself accepts: no CR, LF, NUL or other controls. */
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

const CONTENT_LENGTH = /^content-length$/i;

export class BadResponseHead extends Error {}

/**
 * `maxLineLength` is --header-buffer-size: mod_wsgi refuses (500) a response header line
 * from the daemon longer than that.
 */
export function checkResponseHead(head: AppResponseHead, maxLineLength = 32768): CheckedHead {
  const status = head.status;
  // test(), not exec(): no match array and capture strings per response.
  if (!STATUS.test(status))
    throw new BadResponseHead(`invalid status line ${JSON.stringify(head.status)}`);
  const headers: string[] = [];
  let contentLength: number | null = null;
  for (const [name, value] of head.headers) {
    if (!TOKEN.test(name)) throw new BadResponseHead(`invalid header name ${JSON.stringify(name)}`);
    if (name.length + 2 + value.length > maxLineLength) {
      throw new BadResponseHead(
        `header ${name} is longer than --header-buffer-size ${maxLineLength}`,
      );
    }
    if (!FIELD_VALUE.test(value)) {
      throw new BadResponseHead(`invalid value for header ${name}: ${JSON.stringify(value)}`);
    }
    // The length first: no lower-cased copy of every other name (response-merge.ts).
    if (name.length === 14 && CONTENT_LENGTH.test(name)) {
      if (!/^\d+$/.test(value.trim()) || (contentLength !== null && contentLength !== +value)) {
        throw new BadResponseHead(`invalid Content-Length ${JSON.stringify(value)}`);
      }
      contentLength = Number(value.trim());
    }
    headers.push(name, value);
  }
  return {
    statusCode: threeDigits(status),
    reason: status.length > 4 ? status.slice(4) : "",
    // Duplicates combined as mod_wsgi's daemon mode sends them (Set-Cookie never).
    headers: mergeResponseHeaders(headers),
    contentLength,
  };
}
