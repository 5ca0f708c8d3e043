/**
 * One slot of the addon (an in-process byte pipe to one Python thread) dressed as the
 * socket a daemon connection is, so that WorkerChannel and ControlChannel, and with
 * them the whole daemon session layer, serve embedded mode unchanged.
 *
 * Writes go to the addon's push(); when it says the slot is full, the write's callback
 * waits for the slot's drain event, so Writable's own buffer (writableLength, 'drain')
 * carries the back-pressure as on a socket. What Python sends arrives as DAEMON_READ
 * events; pause() stops them and makes Python's send() wait (a slow client).
 */
import { Duplex } from "node:stream";
import { DAEMON_READ } from "../daemon/daemon-socket.js";
import { SLOT_CLOSE, SLOT_PAUSE, SLOT_RESUME, type EmbeddedAddon } from "./addon.js";

export class SlotStream extends Duplex {
  private held: Buffer[] | null = null;
  private waiting: ((error?: Error | null) => void) | null = null;

  constructor(
    private readonly addon: EmbeddedAddon,
    readonly slot: number,
  ) {
    super({ allowHalfOpen: false });
  }

  /** Python sent `piece` on this slot. */
  deliver(piece: Buffer): void {
    if (this.destroyed) return;
    if (this.held !== null) this.held.push(piece);
    else this.emit(DAEMON_READ, piece);
  }

  /** The slot took what was pushed: writes may go on. */
  drained(): void {
    const callback = this.waiting;
    this.waiting = null;
    callback?.();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    this.send(chunk, callback);
  }

  override _writev(chunks: { chunk: Buffer }[], callback: () => void): void {
    const data = chunks.length === 1 ? chunks[0]?.chunk : undefined;
    this.send(data ?? Buffer.concat(chunks.map((each) => each.chunk)), callback);
  }

  private send(data: Buffer, callback: () => void): void {
    if (this.addon.push(this.slot, data)) callback();
    else this.waiting = callback;
  }

  override _read(): void {
    // Nothing is read through the stream: pieces arrive as DAEMON_READ events.
  }

  override pause(): this {
    if (this.held === null) {
      this.held = [];
      this.addon.control(this.slot, SLOT_PAUSE);
    }
    return this;
  }

  override resume(): this {
    const held = this.held;
    if (held === null) return this;
    this.held = null;
    this.addon.control(this.slot, SLOT_RESUME);
    for (const piece of held) this.deliver(piece);
    return this;
  }

  setNoDelay(): this {
    return this;
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    // The Python thread's recv() returns b"" and its send() fails: it stops.
    this.addon.control(this.slot, SLOT_CLOSE);
    this.waiting = null;
    callback(error);
  }
}
