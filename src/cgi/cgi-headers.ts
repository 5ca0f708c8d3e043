/**
 * The header block a CGI script writes before its body (RFC 3875 §6), read as Apache's
 * ap_scan_script_header_err does: lines up to a blank one, LF or CRLF; `Status:` gives
 * the status; `Location:` without a Status is a local redirect when it is a path (§6.2.2)
 * and a 302 when it is an absolute URI (§6.2.3). A line without a colon, an invalid
 * header, or output ending before the blank line is the script's fault: a 500.
 */
import { validateHeaderName, validateHeaderValue } from "node:http";

export interface CgiHead {
  readonly status: number;
  readonly reason: string | null;
  /** Response headers in order, without Status and the hop-by-hop ones. */
  readonly headers: readonly (readonly [string, string])[];
  /** A path to serve instead (§6.2.2 local redirect); null: this is the response. */
  readonly localRedirect: string | null;
}

export type HeadProgress =
  | { readonly kind: "more" }
  | { readonly kind: "head"; readonly head: CgiHead; readonly rest: Buffer }
  | { readonly kind: "error"; readonly message: string };

/** Apache's limit on the header block a script may write (HUGE_STRING_LEN lines, and
 *  a bound on the whole so that a script writing no blank line cannot grow memory). */
export const MAX_HEAD_BYTES = 64 * 1024;

/** Hop-by-hop fields belong to this connection, not to the script (RFC 9110 §7.6.1). */
const HOP_BY_HOP = new Set(["connection", "keep-alive", "transfer-encoding", "upgrade"]);

export class CgiHeadParser {
  private buffered: Buffer = Buffer.alloc(0);

  /** Feeds the script's output; once the head is complete, the bytes after it are `rest`. */
  feed(chunk: Buffer): HeadProgress {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    const end = headEnd(this.buffered);
    if (end === null) {
      if (this.buffered.length > MAX_HEAD_BYTES) {
        return { kind: "error", message: `script headers longer than ${MAX_HEAD_BYTES} bytes` };
      }
      // Each whole line is judged as it arrives, as Apache reads them: a script that
      // writes text without a header block is malformed, not merely unfinished.
      const bad = malformedLine(this.buffered);
      return bad === null ? { kind: "more" } : error(malformed(bad));
    }
    const text = this.buffered.subarray(0, end.headLength).toString("latin1");
    const rest = this.buffered.subarray(end.bodyStart);
    return parseHead(text, rest);
  }
}

/** Where the blank line is: the head's length and where the body starts. */
function headEnd(data: Buffer): { headLength: number; bodyStart: number } | null {
  let start = 0;
  for (;;) {
    const newline = data.indexOf(10, start);
    if (newline < 0) return null;
    const lineLength = newline - start - (data[newline - 1] === 13 && newline > start ? 1 : 0);
    if (lineLength === 0) return { headLength: start, bodyStart: newline + 1 };
    start = newline + 1;
  }
}

export function parseHead(text: string, rest: Buffer): HeadProgress {
  let status: number | null = null;
  let reason: string | null = null;
  let location: string | null = null;
  const headers: [string, string][] = [];
  for (const line of text.split("\n")) {
    const trimmed = line.endsWith("\r") ? line.slice(0, -1) : line;
    if (trimmed === "") continue;
    const colon = trimmed.indexOf(":");
    if (colon <= 0) return error(malformed(trimmed));
    const name = trimmed.slice(0, colon).trim();
    const value = trimmed.slice(colon + 1).trim();
    const lower = name.toLowerCase();
    if (lower === "status") {
      const match = /^(\d{3})(?:\s+(.*))?$/.exec(value);
      const code = Number(match?.[1]);
      if (match === null || code < 100 || code > 599) {
        return error(`invalid Status header from script: '${value.slice(0, 80)}'`);
      }
      status = code;
      reason = match[2] === undefined || match[2] === "" ? null : match[2];
      continue;
    }
    if (HOP_BY_HOP.has(lower)) continue;
    try {
      validateHeaderName(name);
      validateHeaderValue(name, value);
    } catch {
      return error(`invalid header from script: '${name.slice(0, 80)}'`);
    }
    if (lower === "location") location = value;
    headers.push([name, value]);
  }
  // §6.2.2: a path in Location and no Status: the server serves that path instead.
  if (location !== null && status === null && location.startsWith("/")) {
    return {
      kind: "head",
      head: { status: 200, reason: null, headers, localRedirect: location },
      rest,
    };
  }
  // §6.2.3: an absolute URI and no Status is a client redirect, 302 Found.
  const code = status ?? (location !== null ? 302 : 200);
  return { kind: "head", head: { status: code, reason, headers, localRedirect: null }, rest };
}

/** The first whole line of `data` that is not a header, or null. */
function malformedLine(data: Buffer): string | null {
  const whole = data.lastIndexOf(10);
  if (whole < 0) return null;
  for (const line of data.subarray(0, whole).toString("latin1").split("\n")) {
    const trimmed = line.endsWith("\r") ? line.slice(0, -1) : line;
    if (trimmed.indexOf(":") <= 0) return trimmed;
  }
  return null;
}

function malformed(line: string): string {
  return `malformed header from script: '${line.slice(0, 80)}'`;
}

function error(message: string): HeadProgress {
  return { kind: "error", message };
}
