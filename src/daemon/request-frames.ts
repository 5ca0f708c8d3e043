/** The frames a request's head, body and environ base travel in to a daemon thread. */
import type { SpooledBody } from "../buffering/request-spool.js";
import type { SessionRequest, SessionTiming } from "../exchange/backend.js";
import { baseOf, type Environ, type EnvironBase } from "../exchange/environ.js";
import {
  HEADER_SIZE,
  MAX_BODY_FRAME,
  FrameType,
  encodeBodyFile,
  encodeFrame,
  encodeHeader,
} from "../protocol/frames.js";
import { encodeEnvironBase, encodeRequestHead } from "../protocol/messages.js";
import { procPath } from "./body-file-probe.js";
import type { WorkerChannel } from "./worker-channel.js";

export const BODY_END = encodeFrame(FrameType.REQUEST_BODY_END);
export const BODY_ABORT = encodeFrame(FrameType.REQUEST_BODY_ABORT);

/** Writes a piece of the body as frames of at most MAX_BODY_FRAME; false when the
 *  channel's buffer is full. */
export function writeBodyFrames(channel: WorkerChannel, chunk: Buffer): boolean {
  let ok = true;
  for (let offset = 0; offset < chunk.length; offset += MAX_BODY_FRAME) {
    const piece = chunk.subarray(offset, offset + MAX_BODY_FRAME);
    ok = channel.writeBody(encodeHeader(FrameType.REQUEST_BODY, piece.length), piece);
  }
  return ok;
}

/** REQUEST_BODY_FILE: the daemon opens the spool file through /proc and reads it. */
export function bodyFileFrame(body: SpooledBody): Buffer {
  return encodeBodyFile(procPath(body.file), body.length);
}

/** The frames that carry a whole body after its head: none at all ends it at once. */
export function wholeBodyFrames(whole: Buffer): Buffer[] {
  const frames: Buffer[] = [];
  for (let offset = 0; offset < whole.length; offset += MAX_BODY_FRAME) {
    const piece = whole.subarray(offset, offset + MAX_BODY_FRAME);
    frames.push(encodeHeader(FrameType.REQUEST_BODY, piece.length), piece);
  }
  frames.push(BODY_END);
  return frames;
}

const baseFrames = new WeakMap<EnvironBase, Buffer>();

/** Its ENVIRON_BASE frame, encoded once. */
export function baseFrame(base: EnvironBase): Buffer {
  let frame = baseFrames.get(base);
  if (frame === undefined) {
    frame = encodeEnvironBase(base.id, base.environ);
    baseFrames.set(base, frame);
  }
  return frame;
}

/** A whole body up to this size travels in its head's own buffer, with its end: the
 *  request leaves in one write of one buffer, not as a batch of three (clearBuffer's
 *  writev and its arrays and callbacks, per request: bench/PROFILE.md). */
export const INLINE_BODY = 8 * 1024;

/** REQUEST_HEAD; with a `whole` body of up to INLINE_BODY bytes, its frames and
 *  REQUEST_BODY_END follow in the same buffer. Throws when the head cannot be encoded. */
export function headFrame(
  { environ, id, requestStart, expectContinue }: SessionRequest,
  queueStart: number,
  whole: Buffer | null,
): Buffer {
  const inline = whole !== null && whole.length <= INLINE_BODY;
  const body = inline && whole.length > 0 ? HEADER_SIZE + whole.length : 0;
  const base = baseOf(environ).id;
  const head = { id, base, environ, requestStart, queueStart, expectContinue };
  if (!inline) return encodeRequestHead(head);
  const frame = encodeRequestHead(head, body + BODY_END.length);
  let at = frame.length - body - BODY_END.length;
  if (body > 0) {
    frame[at] = FrameType.REQUEST_BODY;
    frame.writeUInt32BE(whole.length, at + 1);
    at += HEADER_SIZE + whole.copy(frame, at + HEADER_SIZE);
  }
  BODY_END.copy(frame, at);
  return frame;
}

/** Writes a request's head (and what follows it in the same write), preceded by its
 *  ENVIRON_BASE the first time this connection needs it. */
export function writeHead(
  channel: WorkerChannel,
  environ: Environ,
  head: Buffer,
  after: readonly Buffer[],
): void {
  const base = baseOf(environ);
  if (channel.needsBase(base.id)) channel.write(baseFrame(base), head, ...after);
  else if (after.length === 0) channel.writeFrame(head);
  else channel.write(head, ...after);
}

/** Where and when a session ran (BackendSession.timing). */
export function sessionTiming(
  queueStart: number,
  queuedAt: number,
  ran: WorkerChannel | null,
  startedAt: number,
): SessionTiming {
  return {
    queueStart,
    queuedAt,
    startedAt: ran === null ? null : startedAt,
    pid: ran?.pid ?? null,
    thread: ran?.thread ?? null,
  };
}
