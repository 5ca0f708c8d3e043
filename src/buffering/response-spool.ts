/**
 * A response that a slow client cannot take as fast as the daemon sends it goes on into
 * a file, once --response-buffer-size bytes already wait for the client: the daemon
 * thread finishes and serves the next request while the client reads the rest at its own
 * pace, as nginx's proxy_buffering does. Without it (--response-spool-size 0, or past the
 * budget) the daemon waits for the client, as mod_wsgi's does.
 *
 * The files are the request spool's kind (spool-files.ts): unlinked, kept open, reused.
 * A spool that empties goes back to offset 0, so a long stream to a client that keeps up
 * now and then holds no more disk than its largest lag. A disk that fails keeps nothing
 * from the client: what reached the file is read back, and the rest is held in memory.
 */
import type { Writable } from "node:stream";
import type { SpoolBudget } from "./spool-budget.js";
import type { SpoolFile, SpoolFileSource } from "./spool-files.js";

/** Bytes waiting for the disk (or, once it failed, for the client) before the daemon is
 *  paused; and the most read back from the file at once. */
const WRITE_WINDOW = 1024 * 1024;
const READ_SIZE = 64 * 1024;

export interface ResponseSpoolSettings {
  readonly files: SpoolFileSource;
  /** Bytes spooled at once across all responses (--response-spool-size). */
  readonly budget: SpoolBudget;
  readonly warn: (message: string) => void;
}

/** A piece of the body, with what to call once it is no longer needed (a loan of the
 *  daemon socket's read buffer: response-relay.ts). */
export interface HeldPiece {
  buffer: Buffer;
  readonly repay: (() => void) | null;
}

export class ResponseSpool {
  /** Pieces not yet in the file (nor, after a disk failure, handed to the client). */
  private pending: HeldPiece[] = [];
  private pendingBytes = 0;
  private file: SpoolFile | null = null;
  /** Bytes in the file, and how many of them the client has been handed. */
  private fileEnd = 0;
  private readAt = 0;
  /** Operations in flight, which overlap (a write to the file while the client is fed
   *  from it): not states of the spool. */
  private writing = false;
  private reading = false;
  private waitingForDrain = false;
  /** standby: pieces go to the client; holding: back-pressure was met, and pieces come
   *  here until all that is held has gone out (then standby again); disposed: the
   *  response is over, nothing more goes out. Nothing leaves disposed. */
  private phase: "standby" | "holding" | "disposed" = "standby";
  private failed = false;
  /** The daemon sent its end: `ended` runs once all that is held has gone out. */
  private ended: (() => void) | null = null;
  /** Bytes of this spool taken from the budget; past the budget the daemon waits. */
  private reserved = 0;
  private overBudget = false;
  private resumeDaemon: (() => void) | null = null;

  constructor(
    private readonly settings: ResponseSpoolSettings,
    private readonly out: Writable,
    /** Makes the daemon wait; returns how to let it go on. */
    private readonly pauseDaemon: () => () => void,
    /** The file lost what it held: the response must end short, for the client to see. */
    private readonly cut: () => void,
  ) {
    settings.files.take().then(
      (file) => {
        if (this.disposed) settings.files.give(file, true);
        else this.file = file;
        this.writeNext();
      },
      (error: unknown) => {
        this.diskFailed(`cannot spool a response: ${String(error)}`);
      },
    );
  }

  /** Body pieces go here, not to the client, until all that is held has gone out. */
  get holding(): boolean {
    return this.phase === "holding";
  }

  private get disposed(): boolean {
    return this.phase === "disposed";
  }

  /** The client is full: what comes next waits here (the bytes already queued for the
   *  client leave first). */
  engage(): void {
    if (this.disposed) return;
    this.phase = "holding";
    this.pump();
  }

  append(piece: HeldPiece): void {
    if (this.disposed) {
      piece.repay?.();
      return;
    }
    this.pending.push(piece);
    this.pendingBytes += piece.buffer.length;
    if (this.settings.budget.take(piece.buffer.length)) this.reserved += piece.buffer.length;
    else this.overBudget = true;
    if (this.failed) this.pump();
    else this.writeNext();
    this.updatePause();
  }

  /** The daemon's response is complete: `done` is called once it has all gone out. */
  end(done: () => void): void {
    this.ended = done;
    this.pump();
  }

  /** The response is over (the client left, or was cut off): nothing more goes out. */
  dispose(): void {
    if (this.disposed) return;
    this.phase = "disposed";
    this.ended = null;
    for (const piece of this.pending) piece.repay?.();
    this.pending = [];
    this.pendingBytes = 0;
    this.letDaemonGo();
    this.giveBack();
  }

  private writeNext(): void {
    const file = this.file;
    if (this.writing || this.failed || this.disposed || file === null) return;
    if (this.pending.length === 0) return;
    const batch = this.pending.map((piece) => piece.buffer);
    this.writing = true;
    file.handle.writev(batch, this.fileEnd).then(
      ({ bytesWritten }) => {
        this.writing = false;
        if (this.disposed) {
          this.giveBack();
          return;
        }
        if (bytesWritten === 0) {
          this.diskFailed("cannot spool a response: the disk took nothing");
          return;
        }
        this.fileEnd += bytesWritten;
        file.size = Math.max(file.size, this.fileEnd);
        this.consumePending(bytesWritten);
        // A short write is a full disk that has not said so yet: the next one will.
        this.writeNext();
        this.pump();
        this.updatePause();
      },
      (error: unknown) => {
        this.writing = false;
        if (this.disposed) this.giveBack();
        else this.diskFailed(`cannot spool a response: ${String(error)}`);
      },
    );
  }

  /** Drops the first `bytes` of the pending pieces: they are in the file. */
  private consumePending(bytes: number): void {
    let left = bytes;
    while (left > 0) {
      const piece = this.pending[0];
      if (piece === undefined) break;
      if (piece.buffer.length > left) {
        piece.buffer = piece.buffer.subarray(left);
        this.pendingBytes -= left;
        return;
      }
      left -= piece.buffer.length;
      this.pendingBytes -= piece.buffer.length;
      this.pending.shift();
      piece.repay?.();
    }
  }

  /** What reached the file is read back; the rest goes to the client from memory. */
  private diskFailed(reason: string): void {
    if (this.failed || this.disposed) return;
    this.failed = true;
    this.settings.warn(`${reason}; the rest of the response is held in memory`);
    this.pump();
    this.updatePause();
  }

  /** Hands the client the next bytes held, oldest first, while it takes them. */
  private pump(): void {
    while (!this.reading && !this.waitingForDrain && !this.disposed) {
      if (this.out.writableNeedDrain) {
        this.waitForDrain();
        return;
      }
      if (this.readAt < this.fileEnd) {
        this.readBack();
        return;
      }
      const piece = this.failed ? this.pending.shift() : undefined;
      if (piece === undefined) break;
      this.pendingBytes -= piece.buffer.length;
      if (piece.repay === null) this.out.write(piece.buffer);
      else this.out.write(piece.buffer, piece.repay);
    }
    if (this.reading || this.waitingForDrain || this.disposed) return;
    if (this.pending.length === 0 && !this.writing) this.emptied();
    this.updatePause();
  }

  private waitForDrain(): void {
    this.waitingForDrain = true;
    this.out.once("drain", () => {
      this.waitingForDrain = false;
      this.pump();
    });
  }

  private readBack(): void {
    const file = this.file;
    if (file === null) return;
    const length = Math.min(READ_SIZE, this.fileEnd - this.readAt);
    this.reading = true;
    file.handle.read(Buffer.allocUnsafe(length), 0, length, this.readAt).then(
      ({ bytesRead, buffer }) => {
        this.reading = false;
        if (this.disposed) {
          this.giveBack();
          return;
        }
        if (bytesRead === 0) {
          // The file lost bytes it held: the client cannot be given them.
          this.settings.warn("a spooled response came back short from its file; cut off");
          this.dispose();
          this.cut();
          return;
        }
        this.readAt += bytesRead;
        this.out.write(buffer.subarray(0, bytesRead));
        this.pump();
      },
      (error: unknown) => {
        this.reading = false;
        if (this.disposed) {
          this.giveBack();
          return;
        }
        this.settings.warn(`cannot read a spooled response back: ${String(error)}; cut off`);
        this.dispose();
        this.cut();
      },
    );
  }

  /** Everything held has gone out: the file starts again at 0, and its bytes go back to
   *  the budget. */
  private emptied(): void {
    if (this.phase === "holding") this.phase = "standby";
    this.fileEnd = 0;
    this.readAt = 0;
    this.settings.budget.give(this.reserved);
    this.reserved = 0;
    this.overBudget = false;
    const done = this.ended;
    this.ended = null;
    done?.();
  }

  /** The daemon waits while the disk is behind, while memory holds what a failed disk
   *  could not, and past the budget until the spool empties. */
  private updatePause(): void {
    if (this.disposed) return;
    const wait = this.overBudget || this.pendingBytes > WRITE_WINDOW;
    if (wait && this.resumeDaemon === null) this.resumeDaemon = this.pauseDaemon();
    else if (!wait) this.letDaemonGo();
  }

  private letDaemonGo(): void {
    const resume = this.resumeDaemon;
    this.resumeDaemon = null;
    resume?.();
  }

  /** Once disposed and idle: the file to the pool (closed if the disk failed it), its
   *  bytes to the budget. */
  private giveBack(): void {
    if (!this.disposed || this.writing || this.reading) return;
    this.settings.budget.give(this.reserved);
    this.reserved = 0;
    const file = this.file;
    this.file = null;
    if (file !== null) this.settings.files.give(file, !this.failed);
  }
}
