/**
 * The access log: one line per response, in Apache's common/combined or a custom
 * LogFormat, written when the response is done (or the client went away).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { compileAccessLogFormat, type AccessRecord } from "../log/access-log-format.js";
import type { LogSink } from "../log/error-log.js";
import { requestUri } from "./intake.js";
import { traffic } from "./traffic.js";

interface ResponseFacts {
  bodyBytes: number;
  /** Flat [name, value, ...] as written, for %{Name}o. */
  headers: readonly string[];
  /** The user the request authenticated as (or tried to), for %u. */
  user: string | null;
}

const facts = new WeakMap<ServerResponse, ResponseFacts>();

/** Records body bytes sent on `res`, for %b and %B (only when an access log watches it:
 *  without one, nothing is kept per response), and in the server's total (traffic.ts). */
export function countBody(res: ServerResponse, bytes: number): void {
  traffic.bodyBytes += bytes;
  const known = facts.get(res);
  if (known) known.bodyBytes += bytes;
}

/** Records the user of an authenticated request, for %u (as Apache's r->user: set from
 *  the credentials, so a refused one shows too, and replaced by the one the check gave). */
export function recordUser(res: ServerResponse, user: string): void {
  const known = facts.get(res);
  if (known) known.user = user;
}

/** Records the header list a response was written with, for %{Name}o. */
export function recordHeaders(res: ServerResponse, headers: readonly string[]): void {
  const known = facts.get(res);
  if (known) known.headers = headers;
}

function lookup(flat: readonly string[], name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (let i = 0; i + 1 < flat.length; i += 2) {
    if ((flat[i] as string).toLowerCase() === wanted) return flat[i + 1];
  }
  return undefined;
}

export class AccessLog {
  private readonly format: (record: AccessRecord) => string;

  constructor(
    private readonly sink: LogSink,
    format: string,
  ) {
    this.format = compileAccessLogFormat(format);
  }

  watch(req: IncomingMessage, res: ServerResponse): void {
    const started = process.hrtime.bigint();
    const time = new Date();
    const known: ResponseFacts = { bodyBytes: 0, headers: [], user: null };
    facts.set(res, known);
    // Read now: an HTTP/2 request's socket is the session's, gone once a client that
    // closed its connection at the end of the stream is logged.
    const { remoteAddress, localAddress, localPort } = req.socket;
    res.once("close", () => {
      const header = (name: string): string | undefined => {
        const value = req.headers[name.toLowerCase()];
        return Array.isArray(value) ? value.join(", ") : value;
      };
      const record: AccessRecord = {
        remoteAddress: (remoteAddress ?? "-").replace(/^::ffff:/, ""),
        localAddress: (localAddress ?? "-").replace(/^::ffff:/, ""),
        localPort: localPort ?? 0,
        remoteUser: known.user,
        time,
        method: req.method ?? "-",
        // The target as sent: %r is the request line as Apache logs it.
        url: requestUri(req),
        protocol: `HTTP/${req.httpVersion}`,
        status: res.statusCode,
        bodyBytes: known.bodyBytes,
        durationMicros: Number(process.hrtime.bigint() - started) / 1000,
        requestHeader: header,
        responseHeader: (name) => {
          const set = res.getHeader(name);
          if (set !== undefined) return String(set);
          return lookup(known.headers, name);
        },
      };
      this.sink.write(this.format(record) + "\n");
    });
  }
}
