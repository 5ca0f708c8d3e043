/**
 * One daemon thread's persistent connection, seen from the front end. It carries one
 * request at a time; the session that owns the current request receives its frames.
 */
import type { Socket } from "node:net";
import { DAEMON_READ } from "./daemon-socket.js";
import { FrameDecoder, type Frame, ProtocolError } from "../protocol/frames.js";
import { TurnBatch } from "../turn-batch.js";

/** Request body bytes queued for the daemon before the client's upload is paused. A
 *  turn of the event loop can bring several 64 KiB reads; they leave together. */
export const BODY_WINDOW = 512 * 1024;

/** The request currently using a channel (src/exchange/exchange.ts). */
export interface ChannelUser {
  onFrame(frame: Frame): void;
  /** The daemon side went away (process died, protocol error) while this request ran. */
  onChannelLost(reason: string): void;
  /** The channel's socket buffer drained: body forwarding may resume. */
  onDrain(): void;
  /** Its whole body has been written (or ended): another request may follow it on the
   *  connection without its frames interleaving (dispatch-ahead.ts). */
  readonly bodySent: boolean;
  /** Its environ, for --server-status (REQUEST_METHOD, REQUEST_URI): read only when the
   *  page is asked for. */
  readonly request?: { readonly environ: Readonly<Record<string, string>> };
}

export class WorkerChannel {
  private user: ChannelUser | null = null;
  private closed = false;
  /** What is written to the daemon in one event-loop turn leaves in one writev: the
   *  heads of requests sent ahead to a busy thread, and a client's body frames. */
  private readonly batch: TurnBatch;
  /** Counts the requests given to this channel, to tell them apart in timers. */
  serial = 0;
  /** When the thread last showed progress (ms, performance.now()): its current request
   *  began, or it sent something. A thread that shows none for a while is stuck in a
   *  long request, and what waits ahead of it should go elsewhere (dispatch-ahead.ts). */
  progressAt = 0;
  /** When the current request became the thread's (ms, the pool's clock). */
  since = 0;
  /** The current request passed its deadline: a drain does not wait for it. */
  stale = false;
  /** The current request counts as activity (--ignore-activity). */
  countsActivity = true;
  /** Its daemon can open spool files: a spooled body goes as REQUEST_BODY_FILE. */
  readsBodyFiles = false;
  /** The ENVIRON_BASE ids this connection's daemon thread has been sent. */
  private readonly basesSent = new Set<number>();

  constructor(
    private readonly socket: Socket,
    private readonly decoder: FrameDecoder,
    readonly pid: number,
    readonly thread: number,
    private readonly onClose: (channel: WorkerChannel, reason: string) => void,
  ) {
    this.batch = new TurnBatch(socket);
    socket.setNoDelay(true);
    socket.on(DAEMON_READ, (chunk: Buffer) => {
      this.receive(chunk);
    });
    socket.on("drain", () => this.user?.onDrain());
    socket.on("error", () => {
      this.close("connection error");
    });
    socket.on("close", () => {
      this.close("connection closed");
    });
  }

  get busy(): boolean {
    return this.user !== null;
  }

  /** The current request as "METHOD URI" (--server-status), or null when idle. */
  get current(): string | null {
    if (this.user === null) return null;
    const environ = this.user.request?.environ ?? {};
    return `${environ.REQUEST_METHOD ?? "-"} ${environ.REQUEST_URI ?? "-"}`;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  assign(user: ChannelUser, now: number): void {
    this.user = user;
    this.serial += 1;
    this.progressAt = now;
    this.since = now;
  }

  /** The current request, if it is `user`, leaves the channel without having run (a
   *  request recalled just as it became current: its thread skips it). */
  unassign(user: ChannelUser): boolean {
    if (this.user !== user) return false;
    this.user = null;
    return true;
  }

  /** The current request's body is all written: another may be written after it. */
  get bodySent(): boolean {
    return this.user?.bodySent ?? true;
  }

  /** True the first time a base is asked for: the caller must send it before its head. */
  needsBase(id: number): boolean {
    if (this.basesSent.has(id)) return false;
    this.basesSent.add(id);
    return true;
  }

  /** The request is complete on both directions; the channel can take the next one. */
  release(): void {
    this.user = null;
    this.stale = false;
    // A request that ended while its slow client held the response back leaves the
    // socket paused; the next request must be able to read its response.
    this.socket.resume();
  }

  /** Writes frames, at the end of this event-loop turn; false when the socket buffer is
   *  full (wait for onDrain). Under load one turn brings several requests for the same
   *  thread (dispatch-ahead.ts): they reach it in one write and one wake-up, not one each. */
  write(...buffers: Buffer[]): boolean {
    if (this.closed) return false;
    this.batch.hold();
    let ok = true;
    for (const buffer of buffers) ok = this.socket.write(buffer);
    return ok;
  }

  /** Writes a body frame, as write() does; false once BODY_WINDOW bytes wait (then wait
   *  for onDrain), so the client's upload pauses while the daemon catches up. */
  writeBody(header: Buffer, payload: Buffer): boolean {
    if (this.closed) return false;
    this.write(header, payload);
    return this.socket.writableLength < BODY_WINDOW;
  }

  /** Pauses reading the daemon's response while the HTTP client is slow (back-pressure). */
  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  /** Feeds bytes that arrived with the HELLO frame, then all later ones. */
  receive(chunk: Buffer): void {
    this.progressAt = performance.now();
    let frames: Frame[];
    try {
      frames = this.decoder.push(chunk);
    } catch (error) {
      const reason = error instanceof ProtocolError ? error.message : String(error);
      this.close(`protocol error: ${reason}`);
      return;
    }
    for (const frame of frames) {
      if (this.user === null) {
        this.close("daemon sent a frame while no request was running");
        return;
      }
      this.user.onFrame(frame);
    }
  }

  close(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.destroy();
    const user = this.user;
    this.user = null;
    user?.onChannelLost(reason);
    this.onClose(this, reason);
  }
}
