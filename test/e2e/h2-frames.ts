/**
 * The frames of one HTTP/2 request as they cross the wire (RFC 9113 §4.1), read from a
 * raw TLS connection: what node's client hides (how a stream ends, and in how many
 * frames).
 */
import { frame, rawH2Connection } from "./h2-helpers.js";

export interface SeenFrame {
  readonly type: number;
  readonly flags: number;
  readonly length: number;
}

/** RFC 9113 §6: the frame types and flags a response is made of. */
export const FRAME = { DATA: 0, HEADERS: 1, RST_STREAM: 3, GOAWAY: 7 } as const;
export const END_STREAM = 0x1;

/** GET `path` on stream 1 (HPACK, RFC 7541 App. A: :method GET, :scheme https, :path
 *  literal, :authority localhost); resolves with stream 1's frames once it ended. */
export async function streamFrames(port: number, ca: string, path: string): Promise<SeenFrame[]> {
  const socket = await rawH2Connection(port, ca);
  const seen: SeenFrame[] = [];
  const ended = new Promise<void>((resolve, reject) => {
    let pending = Buffer.alloc(0);
    socket.on("data", (data: Buffer) => {
      pending = Buffer.concat([pending, data]);
      while (pending.length >= 9) {
        const length = pending.readUIntBE(0, 3);
        if (pending.length < 9 + length) break;
        const type = pending[3] ?? 0;
        const flags = pending[4] ?? 0;
        if ((pending.readUInt32BE(5) & 0x7fffffff) === 1) {
          seen.push({ type, flags, length });
          if (type === FRAME.RST_STREAM || flags & END_STREAM) resolve();
        }
        pending = pending.subarray(9 + length);
      }
    });
    socket.once("close", () => {
      reject(new Error(`connection closed after ${seen.length} frames of stream 1`));
    });
  });
  const target = Buffer.from(path);
  const authority = Buffer.from("localhost");
  const block = Buffer.concat([
    Buffer.from([0x82, 0x87, 0x04, target.length]),
    target,
    Buffer.from([0x41, authority.length]),
    authority,
  ]);
  socket.write(
    Buffer.concat([
      Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"),
      frame(4, 0, 0, Buffer.alloc(0)),
      // END_STREAM | END_HEADERS.
      frame(FRAME.HEADERS, 0x5, 1, block),
    ]),
  );
  try {
    await ended;
  } finally {
    socket.destroy();
  }
  return seen;
}
