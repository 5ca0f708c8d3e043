/** The frames a request's head, body and environ base travel in to a daemon thread. */
import type { SpooledBody } from "../buffering/request-spool.js";
import type { SessionRequest, SessionTiming } from "../exchange/backend.js";
import { baseOf, type EnvironBase } from "../exchange/environ.js";
import {
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

/** REQUEST_HEAD, preceded by its ENVIRON_BASE the first time this connection needs it. */
export function headFrames(
  channel: WorkerChannel,
  { environ, id, requestStart, expectContinue }: SessionRequest,
  queueStart: number,
): Buffer[] {
  const base = baseOf(environ);
  const head = encodeRequestHead({
    id,
    base: base.id,
    environ,
    requestStart,
    queueStart,
    expectContinue,
  });
  return channel.needsBase(base.id) ? [baseFrame(base), head] : [head];
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
