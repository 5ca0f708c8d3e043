/**
 * Framing layer of the daemon protocol (docs/protocol.md): bytes <-> frames.
 * A frame is a type byte, a big-endian u32 payload length, and the payload.
 */

export const HEADER_SIZE = 5;
/** Largest payload a reader accepts; anything larger is a protocol error, not a resync. */
export const MAX_PAYLOAD = 16 * 1024 * 1024;
/** Writers split body bytes into frames no larger than this. */
export const MAX_BODY_FRAME = 1024 * 1024;

export const FrameType = {
  HELLO: 0x01,
  HEARTBEAT: 0x02,
  RECYCLE: 0x03,
  RECALLED: 0x04,
  RESPONSE_HEAD: 0x11,
  RESPONSE_BODY: 0x12,
  RESPONSE_END: 0x13,
  RESPONSE_ERROR: 0x14,
  BODY_WANTED: 0x15,
  REQUEST_HEAD: 0x21,
  REQUEST_BODY: 0x22,
  REQUEST_BODY_END: 0x23,
  REQUEST_BODY_ABORT: 0x24,
  ENVIRON_BASE: 0x25,
  REQUEST_BODY_FILE: 0x26,
  ABORT: 0x31,
  INTERRUPT: 0x32,
  SHUTDOWN: 0x33,
  RECALL: 0x34,
} as const;
export type FrameType = (typeof FrameType)[keyof typeof FrameType];

const KNOWN_TYPES = new Set<number>(Object.values(FrameType));

export interface Frame {
  readonly type: FrameType;
  readonly payload: Buffer;
}

export class ProtocolError extends Error {
  constructor(
    readonly reason: "unknown-type" | "oversized" | "bad-message",
    message: string,
  ) {
    super(message);
    this.name = "ProtocolError";
  }
}

export function encodeFrame(type: FrameType, payload: Buffer = EMPTY): Buffer {
  const frame = Buffer.allocUnsafe(HEADER_SIZE + payload.length);
  frame[0] = type;
  frame.writeUInt32BE(payload.length, 1);
  payload.copy(frame, HEADER_SIZE);
  return frame;
}

/** A frame whose payload is ``text`` as latin-1 (one byte per character), written
 *  straight into the frame rather than encoded and then copied. */
export function encodeLatin1Frame(type: FrameType, text: string): Buffer {
  const frame = Buffer.allocUnsafe(HEADER_SIZE + text.length);
  frame[0] = type;
  frame.writeUInt32BE(text.length, 1);
  frame.write(text, HEADER_SIZE, "latin1");
  return frame;
}

/** Only the 5-byte header, for writing a large payload without copying it. */
export function encodeHeader(type: FrameType, length: number, room = 0): Buffer {
  // `room`: payload bytes left free after the header, for a caller to write in place.
  const header = Buffer.allocUnsafe(HEADER_SIZE + room);
  header[0] = type;
  header.writeUInt32BE(length, 1);
  return header;
}

/** REQUEST_BODY_FILE: the first `length` bytes of the file at `path` are the next part
 *  of the body (docs/protocol.md, "Spooled bodies"); a u64 length, then the UTF-8 path. */
export function encodeBodyFile(path: string, length: number): Buffer {
  const payload = Buffer.allocUnsafe(8 + Buffer.byteLength(path));
  payload.writeBigUInt64BE(BigInt(length), 0);
  payload.write(path, 8, "utf8");
  return encodeFrame(FrameType.REQUEST_BODY_FILE, payload);
}

const EMPTY = Buffer.alloc(0);

/**
 * Reassembles frames from a byte stream that arrives in arbitrary chunks. Throws
 * ProtocolError on the first bad header; the owner then closes the connection.
 *
 * Frames of a streamed type (body frames, for a reader that only forwards them) come out
 * as pieces, each a view of the chunk it arrived in, as soon as bytes arrive: a 1 MiB
 * response body is never joined into one buffer, so it is neither copied nor held whole.
 * Other frames are held until complete; their chunks are joined once, when the frame is
 * whole, so a large frame arriving in 64 KiB reads is copied once, not sixteen times.
 * With copyHeld, the chunks are views of a buffer that is read into again after push()
 * returns (daemon-socket.ts): what is held for the next chunk is copied first. Frames
 * returned are views of the chunk and valid only until then.
 */
export class FrameDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;
  /** Bytes needed before parsing can make progress again. */
  private needed = HEADER_SIZE;
  /** The streamed frame being passed through, and how much of its payload is to come. */
  private streamingType: FrameType | null = null;
  private streamingLeft = 0;
  private readonly streamed: ReadonlySet<number>;

  private readonly copyHeld: boolean;

  constructor(
    options: { readonly streamed?: readonly FrameType[]; readonly copyHeld?: boolean } = {},
  ) {
    this.streamed = new Set(options.streamed ?? []);
    this.copyHeld = options.copyHeld ?? false;
  }

  /** Feeds one chunk and returns every frame (or piece of a streamed frame) it
   *  completes, in order. */
  push(chunk: Buffer): Frame[] {
    const frames: Frame[] = [];
    let data = chunk;
    if (this.streamingType !== null) data = this.passThrough(data, frames);
    if (data.length === 0) return frames;
    this.buffered += data.length;
    if (this.buffered < this.needed) {
      this.chunks.push(this.held(data));
      return frames;
    }
    this.chunks.push(data);
    data = this.chunks.length === 1 ? data : Buffer.concat(this.chunks, this.buffered);
    this.needed = HEADER_SIZE;
    // Frames are read at an offset: no view of the rest of the chunk per frame.
    let at = 0;
    while (data.length - at >= HEADER_SIZE) {
      const type = data[at] as number;
      const length = data.readUInt32BE(at + 1);
      if (!KNOWN_TYPES.has(type)) {
        throw new ProtocolError("unknown-type", `unknown frame type 0x${type.toString(16)}`);
      }
      if (length > MAX_PAYLOAD) {
        throw new ProtocolError("oversized", `frame payload of ${length} bytes is over the limit`);
      }
      const end = at + HEADER_SIZE + length;
      if (data.length < end && length > 0 && this.streamed.has(type)) {
        this.streamingType = type as FrameType;
        this.streamingLeft = length;
        data = this.passThrough(data.subarray(at + HEADER_SIZE), frames);
        at = 0;
        continue;
      }
      if (data.length < end) {
        this.needed = HEADER_SIZE + length;
        break;
      }
      frames.push({ type: type as FrameType, payload: data.subarray(at + HEADER_SIZE, end) });
      at = end;
    }
    this.chunks.length = 0;
    if (at < data.length) this.chunks.push(this.held(at === 0 ? data : data.subarray(at)));
    this.buffered = data.length - at;
    return frames;
  }

  private held(data: Buffer): Buffer {
    return this.copyHeld ? Buffer.from(data) : data;
  }

  /** Emits what ``data`` holds of the streamed frame; returns the bytes after it. */
  private passThrough(data: Buffer, frames: Frame[]): Buffer {
    const type = this.streamingType as FrameType;
    const take = Math.min(this.streamingLeft, data.length);
    if (take > 0) frames.push({ type, payload: data.subarray(0, take) });
    this.streamingLeft -= take;
    if (this.streamingLeft === 0) this.streamingType = null;
    return data.subarray(take);
  }

  /** Bytes held back waiting for the rest of a frame. */
  get bufferedBytes(): number {
    return this.buffered;
  }
}
