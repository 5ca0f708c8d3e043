/** The recorder's files (python/_wsgi_express/debug/recorder.py) as requests and the
 *  responses they got. */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { readCgiVariables, unquote } from "./python-literals.js";

export interface Recording {
  /** `<microseconds>-<pid>-<n>`. */
  readonly key: string;
  readonly method: string;
  /** The request target as the client sent it (REQUEST_URI). */
  readonly target: string;
  readonly headers: readonly (readonly [string, string])[];
  readonly body: Buffer;
  /** The status code the application gave, or null if it gave none. */
  readonly status: number | null;
  readonly responseBody: Buffer;
}

// Hop-by-hop or recomputed on the replayed request.
const SKIPPED = new Set([
  "HTTP_HOST",
  "HTTP_CONNECTION",
  "HTTP_CONTENT_LENGTH",
  "HTTP_TRANSFER_ENCODING",
  "HTTP_KEEP_ALIVE",
]);

/** Every recording in `directory`, in the order the requests arrived. */
export function readRecordings(directory: string): Recording[] {
  const keys = readdirSync(directory)
    .filter((name) => name.endsWith(".iheaders"))
    .map((name) => name.slice(0, -".iheaders".length));
  keys.sort(compareKeys);
  return keys.map((key) => readRecording(directory, key));
}

function compareKeys(a: string, b: string): number {
  const [x, y] = [a.split("-").map(Number), b.split("-").map(Number)];
  for (let i = 0; i < 3; i++) {
    const difference = (x[i] ?? 0) - (y[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

function readRecording(directory: string, key: string): Recording {
  const read = (suffix: string): Buffer => readFileSync(join(directory, `${key}.${suffix}`));
  const cgi = readCgiVariables(read("iheaders").toString("utf8"));
  const headers: [string, string][] = [];
  for (const [name, value] of cgi) {
    if (name.startsWith("HTTP_") && !SKIPPED.has(name))
      headers.push([headerName(name.slice(5)), value]);
  }
  const contentType = cgi.get("CONTENT_TYPE");
  if (contentType !== undefined && contentType !== "") headers.push(["Content-Type", contentType]);
  // pprint of (status, headers): the status is the first literal.
  const statusLiteral = /^\(\s*('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")/.exec(
    read("oheaders").toString("utf8"),
  )?.[1];
  const status = statusLiteral === undefined ? null : parseInt(unquote(statusLiteral), 10);
  return {
    key,
    method: cgi.get("REQUEST_METHOD") ?? "GET",
    target: cgi.get("REQUEST_URI") ?? "/",
    headers,
    body: read("icontent"),
    status: Number.isNaN(status) ? null : status,
    responseBody: read("ocontent"),
  };
}

/** HTTP_X_FORWARDED_FOR -> X-Forwarded-For. */
function headerName(cgiName: string): string {
  return cgiName
    .toLowerCase()
    .split("_")
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join("-");
}
