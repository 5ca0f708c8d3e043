/**
 * Read buffers for the daemon sockets, used again and again. Left to itself, node reads
 * each socket into a fresh 64 KiB buffer that dies only in a full garbage collection,
 * which V8 starts per ~64 MiB of such buffers: a 1 MiB response body brings sixteen, so
 * under load the front end ran a dozen full collections a second and its memory grew by
 * ~60 MiB (bench/PROFILE.md, "Memory").
 *
 * A socket reads into a buffer of its own (daemon-socket.ts). Whatever must outlive the
 * read (a body piece still to be written to the client) is lent out, and the socket reads
 * into another buffer from then on; the first one comes back once every loan is repaid.
 * A repayment that never comes (a write whose callback is lost) costs only that buffer:
 * the garbage collector takes it as it took every buffer before.
 */
import type { HeldPiece } from "../buffering/response-spool.js";

/** Four times what node itself reads a socket with: a daemon's send buffer holds 208 KiB
 *  by default and more with --send-buffer-size, and a 1 MiB response then takes 4 reads
 *  or more instead of 16 (bench/PROFILE.md, "Eighth pass"). Pages a read never reaches
 *  are never touched. */
export const READ_BUFFER_SIZE = 256 * 1024;
/** Free buffers kept beyond this many (4 MiB) are left to the garbage collector. */
const KEEP_FREE = 16;

interface Use {
  loans: number;
  /** A socket reads into it: not free even when nothing is on loan. */
  reading: boolean;
}

export class ReadBufferPool {
  private readonly free: Buffer[] = [];
  private readonly uses = new WeakMap<ArrayBufferLike, Use>();

  /** A buffer for a socket to read into. */
  take(): Buffer {
    const buffer = this.free.pop() ?? Buffer.allocUnsafeSlow(READ_BUFFER_SIZE);
    this.uses.set(buffer.buffer, { loans: 0, reading: true });
    return buffer;
  }

  /** After a read into `current`: the buffer for the next read, the same one unless a
   *  piece of it is on loan. */
  next(current: Buffer): Buffer {
    const use = this.uses.get(current.buffer);
    if (use === undefined || use.loans === 0) return current;
    use.reading = false;
    return this.take();
  }

  /** The socket reading into `current` closed. */
  drop(current: Buffer): void {
    const use = this.uses.get(current.buffer);
    if (use === undefined) return;
    use.reading = false;
    if (use.loans === 0) this.giveBack(current.buffer);
  }

  /** Lends `piece`, a view of a buffer this pool gave out, until the returned function is
   *  called; null for a piece of any other buffer, which needs no care. */
  lend(piece: Buffer): (() => void) | null {
    const memory = piece.buffer;
    const use = this.uses.get(memory);
    if (use === undefined) return null;
    use.loans += 1;
    let repaid = false;
    return () => {
      if (repaid) return;
      repaid = true;
      use.loans -= 1;
      if (use.loans === 0 && !use.reading) this.giveBack(memory);
    };
  }

  /** Buffers waiting to be taken (for tests). */
  get freeCount(): number {
    return this.free.length;
  }

  private giveBack(memory: ArrayBufferLike): void {
    this.uses.delete(memory);
    if (this.free.length < KEEP_FREE) this.free.push(Buffer.from(memory));
  }
}

/** The pool every daemon socket of this front end reads through. */
export const daemonReadBuffers = new ReadBufferPool();

/** Body pieces at least this large are lent rather than copied; the response relay
 *  batches pieces of the same size. */
const LEND_MIN = 16 * 1024;

/** A piece of a daemon socket's read buffer made to outlive the read: a small piece
 *  copied, a large one lent until it is no longer needed. */
export function holdPiece(piece: Buffer): HeldPiece {
  if (piece.length < LEND_MIN) return { buffer: Buffer.from(piece), repay: null };
  return { buffer: piece, repay: daemonReadBuffers.lend(piece) };
}
