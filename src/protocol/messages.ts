/**
 * Message layer of the daemon protocol: the typed shapes carried in JSON payloads,
 * with guards that reject anything else (a daemon is trusted code, but a bug in it
 * must become a clean error, never a crash of the front end).
 */
import {
  FrameType,
  HEADER_SIZE,
  ProtocolError,
  encodeFrame,
  encodeHeader,
  encodeLatin1Frame,
} from "./frames.js";

export const PROTOCOL_VERSION = 2;

export interface Hello {
  readonly protocol: number;
  readonly token: string;
  readonly pid: number;
  readonly role: "worker" | "control";
  readonly thread: number;
  /** A worker's process can open the front end's spool files (REQUEST_BODY_FILE). */
  readonly bodyFiles?: boolean;
  readonly app?: { readonly loaded: boolean; readonly error: string | null };
  readonly python?: {
    readonly version: string;
    readonly prefix: string;
    readonly executable: string;
  };
}

export interface ResponseHead {
  readonly status: string;
  readonly headers: readonly (readonly [string, string])[];
}

export interface RequestHead {
  readonly id: string;
  /** The ENVIRON_BASE this request's environ starts from, sent on the connection before. */
  readonly base: number;
  /** The keys of this request, over the base's: only own properties are sent. */
  readonly environ: Readonly<Record<string, string>>;
  readonly requestStart: number;
  readonly queueStart: number;
  readonly expectContinue: boolean;
}

function parseJson(payload: Buffer, what: string): unknown {
  try {
    return JSON.parse(payload.toString("utf8"));
  } catch {
    throw new ProtocolError("bad-message", `${what} is not valid JSON`);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function decodeHello(payload: Buffer): Hello {
  const value = parseJson(payload, "HELLO");
  if (
    !isRecord(value) ||
    typeof value.protocol !== "number" ||
    typeof value.token !== "string" ||
    typeof value.pid !== "number" ||
    (value.role !== "worker" && value.role !== "control") ||
    typeof value.thread !== "number"
  ) {
    throw new ProtocolError("bad-message", "HELLO is missing protocol, token, pid, role or thread");
  }
  return value as unknown as Hello;
}

/** RESPONSE_HEAD: latin-1 text, the status line's status then header names and values,
 *  NUL-separated (docs/protocol.md). The daemon refused NUL in all of them already. */
export function decodeResponseHead(payload: Buffer): ResponseHead {
  const parts = payload.toString("latin1").split("\0");
  if (parts.length % 2 === 0) {
    throw new ProtocolError("bad-message", "RESPONSE_HEAD needs a status and name/value pairs");
  }
  const headers: [string, string][] = [];
  for (let i = 1; i < parts.length; i += 2) {
    headers.push([parts[i] as string, parts[i + 1] as string]);
  }
  return { status: parts[0] as string, headers };
}

/** RESPONSE_ERROR: why the request failed, and whether the daemon has logged it already
 *  (an application's traceback, which names the request). */
export interface ResponseError {
  readonly message: string;
  readonly logged: boolean;
}

export function decodeErrorMessage(payload: Buffer): ResponseError {
  const value = parseJson(payload, "RESPONSE_ERROR");
  if (!isRecord(value)) return { message: "unknown error", logged: false };
  const message = typeof value.message === "string" ? value.message : "unknown error";
  return { message, logged: value.logged === true };
}

const BEYOND_LATIN1 = /[^\0-\xff]/;

/**
 * REQUEST_HEAD: latin-1 text, NUL-separated: id, base, requestStart, queueStart,
 * expectContinue (1 or 0), then the environ's own keys and values. Python splits it with
 * one str.split() and builds the dict in C; JSON cost several times more (bench/PROFILE.md).
 * Environ values are latin-1 native strings (PEP 3333); one that is not (a configured
 * name in another script) goes as its UTF-8 bytes, which is what Apache would pass.
 */
export function encodeRequestHead(head: RequestHead): Buffer {
  // The common case, every part plain latin-1 without NUL, is written straight into the
  // frame: no array of parts and no joined string per request (bench/PROFILE.md).
  const environ = head.environ;
  const keys = Object.keys(environ);
  const prefix = `${head.id}\0${head.base}\0${head.requestStart}\0${head.queueStart}\0${
    head.expectContinue ? "1" : "0"
  }`;
  let length = prefix.length;
  if (NOT_PLAIN.test(head.id)) return encodeOddRequestHead(head, keys);
  for (const key of keys) {
    const value = environ[key] as string;
    if (NOT_PLAIN.test(key) || NOT_PLAIN.test(value)) return encodeOddRequestHead(head, keys);
    length += key.length + value.length + 2;
  }
  const frame = encodeHeader(FrameType.REQUEST_HEAD, length, length);
  let at = HEADER_SIZE + frame.write(prefix, HEADER_SIZE, "latin1");
  for (const key of keys) {
    frame[at++] = 0;
    at += frame.write(key, at, "latin1");
    frame[at++] = 0;
    at += frame.write(environ[key] as string, at, "latin1");
  }
  return frame;
}

/** NUL, or a character beyond latin-1: the part needs encodeOddRequestHead. */
// eslint-disable-next-line no-control-regex -- NUL is exactly what it looks for
const NOT_PLAIN = /[^\x01-\xff]/;

/** A head with a part beyond latin-1 (sent as its UTF-8 bytes) or holding a NUL (refused). */
function encodeOddRequestHead(head: RequestHead, keys: readonly string[]): Buffer {
  const parts = [
    head.id,
    String(head.base),
    String(head.requestStart),
    String(head.queueStart),
    head.expectContinue ? "1" : "0",
  ];
  for (const key of keys) parts.push(key, head.environ[key] as string);
  let text = parts.join("\0");
  // NUL separates the fields, so a value must not hold one (none can: node refuses NUL in
  // headers and the front end answers 404 to %00 in a path, as Apache does).
  if (BEYOND_LATIN1.test(text) || separators(text) !== parts.length - 1) {
    text = nativeStrings(parts).join("\0");
  }
  return encodeLatin1Frame(FrameType.REQUEST_HEAD, text);
}

function separators(text: string): number {
  let count = 0;
  for (let at = text.indexOf("\0"); at !== -1; at = text.indexOf("\0", at + 1)) count += 1;
  return count;
}

function nativeStrings(parts: readonly string[]): string[] {
  return parts.map((part) => {
    if (part.includes("\0")) {
      throw new ProtocolError(
        "bad-message",
        `an environ value contains NUL: ${JSON.stringify(part)}`,
      );
    }
    return BEYOND_LATIN1.test(part) ? Buffer.from(part, "utf8").toString("latin1") : part;
  });
}

/** ENVIRON_BASE: JSON {"base": n, "environ": {...}}, the keys every request on a listener
 *  shares; sent once per connection before the first REQUEST_HEAD that names it. */
export function encodeEnvironBase(base: number, environ: Readonly<Record<string, string>>): Buffer {
  return encodeFrame(
    FrameType.ENVIRON_BASE,
    Buffer.from(JSON.stringify({ base, environ }), "utf8"),
  );
}

export function encodeAbort(id: string): Buffer {
  return encodeFrame(FrameType.ABORT, Buffer.from(JSON.stringify({ id }), "utf8"));
}

export function encodeInterrupt(id: string): Buffer {
  return encodeFrame(FrameType.INTERRUPT, Buffer.from(JSON.stringify({ id }), "utf8"));
}

export function encodeShutdown(reason: string): Buffer {
  return encodeFrame(FrameType.SHUTDOWN, Buffer.from(JSON.stringify({ reason }), "utf8"));
}

/** RECALL: cancel request `id`, written ahead to worker `thread`, unless it started. */
export function encodeRecall(id: string, thread: number): Buffer {
  return encodeFrame(FrameType.RECALL, Buffer.from(JSON.stringify({ id, thread }), "utf8"));
}

/** The daemon's answer to a RECALL: `recalled` true means the request will never run. */
export interface Recalled {
  readonly id: string;
  readonly thread: number;
  readonly recalled: boolean;
}

export function decodeRecalled(payload: Buffer): Recalled {
  const value = parseJson(payload, "RECALLED");
  if (
    !isRecord(value) ||
    typeof value.id !== "string" ||
    !Number.isInteger(value.thread) ||
    typeof value.recalled !== "boolean"
  ) {
    throw new ProtocolError("bad-message", "RECALLED needs an id, a thread and recalled");
  }
  return { id: value.id, thread: value.thread as number, recalled: value.recalled };
}

/** RECYCLE's reason (cpu_time_limit, reload_on_changes, graceful_signal, ...). */
export function decodeRecycle(payload: Buffer): string {
  const value = parseJson(payload, "RECYCLE");
  if (
    !isRecord(value) ||
    typeof value.reason !== "string" ||
    !/^[a-z_]{1,40}$/.test(value.reason)
  ) {
    throw new ProtocolError("bad-message", "RECYCLE needs a reason (lower-case word)");
  }
  return value.reason;
}
