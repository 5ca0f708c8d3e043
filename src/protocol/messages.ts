/**
 * Message layer of the daemon protocol: the typed shapes carried in JSON payloads,
 * with guards that reject anything else (a daemon is trusted code, but a bug in it
 * must become a clean error, never a crash of the front end).
 */
import { FrameType, ProtocolError, encodeFrame } from "./frames.js";

export const PROTOCOL_VERSION = 1;

export interface Hello {
  readonly protocol: number;
  readonly token: string;
  readonly pid: number;
  readonly role: "worker" | "control";
  readonly thread: number;
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

export function decodeResponseHead(payload: Buffer): ResponseHead {
  const value = parseJson(payload, "RESPONSE_HEAD");
  if (!isRecord(value) || typeof value.status !== "string" || !Array.isArray(value.headers)) {
    throw new ProtocolError("bad-message", "RESPONSE_HEAD needs a status string and a header list");
  }
  for (const header of value.headers as unknown[]) {
    if (
      !Array.isArray(header) ||
      header.length !== 2 ||
      typeof header[0] !== "string" ||
      typeof header[1] !== "string"
    ) {
      throw new ProtocolError("bad-message", "RESPONSE_HEAD headers must be [name, value] strings");
    }
  }
  return value as unknown as ResponseHead;
}

export function decodeErrorMessage(payload: Buffer): string {
  const value = parseJson(payload, "RESPONSE_ERROR");
  return isRecord(value) && typeof value.message === "string" ? value.message : "unknown error";
}

export function encodeRequestHead(head: RequestHead): Buffer {
  return encodeFrame(FrameType.REQUEST_HEAD, Buffer.from(JSON.stringify(head), "utf8"));
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
