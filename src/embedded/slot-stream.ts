/**
 * One slot of the addon (an in-process byte pipe to one Python thread) dressed as the
 * socket a daemon connection is, so that WorkerChannel and ControlChannel, and with
 * them the whole daemon session layer, serve embedded mode unchanged.
 *
 * Not a stream.Duplex: only the part of a socket those channels use (write, cork and
 * uncork, writableLength, 'drain', pause and resume, destroy and 'close'), on a plain
 * EventEmitter. A Duplex cost a request a Writable's bookkeeping (its buffered-request
 * objects, the write callback and its afterWrite tick, a Buffer.concat) for what is one
 * native call (bench/PROFILE.md, "Eleventh pass").
 *
 * Writes made while corked (TurnBatch: until the end of the event-loop turn) leave in
 * one push(). When push() says the slot is full, later writes wait here, counted in
 * writableLength, until the slot's drain event; 'drain' follows once nothing waits, as a
 * socket's does after a write returned false. What Python sends arrives as DAEMON_READ
 * events; pause() holds them and makes Python's send() wait (a slow client).
 */
import { EventEmitter } from "node:events";
import { DAEMON_READ } from "../daemon/daemon-socket.js";
import { SLOT_CLOSE, SLOT_PAUSE, SLOT_RESUME, type EmbeddedAddon } from "./addon.js";

/** A write returns false from this many bytes waiting, as a Writable's default. */
const HIGH_WATER = 16 * 1024;

export class SlotStream extends EventEmitter {
  private held: Buffer[] | null = null;
  /** Written, not pushed yet: corked, or the slot is full. */
  private waiting: Buffer[] = [];
  private corked = 0;
  /** push() said full: nothing more is pushed until the slot's drain event. */
  private full = false;
  /** A write returned false: 'drain' is owed once nothing waits. */
  private needDrain = false;
  writableLength = 0;
  destroyed = false;

  constructor(
    private readonly addon: EmbeddedAddon,
    readonly slot: number,
  ) {
    super();
  }

  /** Python sent `piece` on this slot. */
  deliver(piece: Buffer): void {
    if (this.destroyed) return;
    if (this.held !== null) this.held.push(piece);
    else this.emit(DAEMON_READ, piece);
  }

  /** The slot took what was pushed: writes may go on. */
  drained(): void {
    this.full = false;
    this.flush();
  }

  write(data: Buffer): boolean {
    if (this.destroyed) return false;
    this.waiting.push(data);
    this.writableLength += data.length;
    if (this.corked === 0) this.flush();
    if (this.writableLength < HIGH_WATER) return true;
    this.needDrain = true;
    return false;
  }

  cork(): void {
    this.corked += 1;
  }

  uncork(): void {
    if (this.corked > 0) this.corked -= 1;
    if (this.corked === 0) this.flush();
  }

  private flush(): void {
    if (this.full || this.destroyed) return;
    const pieces = this.waiting;
    if (pieces.length > 0) {
      this.waiting = [];
      this.writableLength = 0;
      this.full = !this.addon.push(this.slot, pieces.length === 1 ? (pieces[0] as Buffer) : pieces);
    }
    if (this.needDrain && !this.full) {
      this.needDrain = false;
      this.emit("drain");
    }
  }

  pause(): this {
    if (this.held === null) {
      this.held = [];
      this.addon.control(this.slot, SLOT_PAUSE);
    }
    return this;
  }

  resume(): this {
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

  /** The Python thread's recv() returns b"" and its send() fails: it stops. 'close'
   *  follows on the next tick, as a socket's does. */
  destroy(): this {
    if (this.destroyed) return this;
    this.destroyed = true;
    this.waiting = [];
    this.writableLength = 0;
    this.addon.control(this.slot, SLOT_CLOSE);
    process.nextTick(() => this.emit("close"));
    return this;
  }
}
