/**
 * A request's body on its way to the daemon thread: sent with the head when it is known
 * at dispatch (none, or read ahead), else streamed with back-pressure, from its spool file
 * (request-spool.ts) and then, for what was not spooled, from the client as it arrives.
 * A daemon that can open the spool file is sent its name instead, and reads it itself.
 * Always ended exactly once, with REQUEST_BODY_END or, when it broke, REQUEST_BODY_ABORT.
 */
import type { IncomingMessage } from "node:http";
import type { SpooledBody } from "../buffering/request-spool.js";
import type { WorkerChannel } from "../daemon/worker-channel.js";
import { procPath } from "../daemon/body-file-probe.js";
import {
  MAX_BODY_FRAME,
  FrameType,
  encodeBodyFile,
  encodeFrame,
  encodeHeader,
} from "../protocol/frames.js";

export const BODY_END = encodeFrame(FrameType.REQUEST_BODY_END);
export const BODY_ABORT = encodeFrame(FrameType.REQUEST_BODY_ABORT);
const EMPTY = Buffer.alloc(0);

/** The exchange around the forwarder. */
export interface BodyOwner {
  /** The channel the request runs on; null once it has left it. */
  readonly currentChannel: WorkerChannel | null;
  /** The front end answers instead of the app (413 for an oversized chunked body). */
  answer(status: number): void;
}

export class BodyForwarder {
  /** waiting: not started (Expect: 100-continue until BODY_WANTED); streaming; done. */
  private state: "waiting" | "streaming" | "done" = "waiting";
  /** Bytes streamed so far, against --limit-request-body. */
  private bytes = 0;
  private preloaded: Buffer | null = null;
  private spooled: SpooledBody | null = null;
  /** Reading the spool file waits for the daemon's socket buffer to drain; null while
   *  the body comes from the request itself. */
  private readNext: (() => void) | null = null;
  /** The body comes from the request now (the spool, if any, is sent). */
  private fromRequest = false;
  /** The spool file lent to the daemon thread, returned by finish(). */
  private returnFile: ((clean: boolean) => void) | null = null;

  constructor(
    private readonly req: IncomingMessage,
    /** --limit-request-body; 0: unlimited. */
    private readonly limit: number,
    private readonly owner: BodyOwner,
  ) {}

  get waiting(): boolean {
    return this.state === "waiting";
  }

  /** All of it has been written to the daemon, or it was ended early. */
  get sent(): boolean {
    return this.state === "done";
  }

  /** It is known in full now, so wholeFrames() will not return null. */
  knownAtDispatch(skip: boolean): boolean {
    return skip || this.known() !== null;
  }

  /** A body the front end read before dispatch (a slow uploader never holds a Python
   *  thread): in memory, sent at once, or in a spool file, streamed from there. */
  preload(body: Buffer | SpooledBody): void {
    if (Buffer.isBuffer(body)) this.preloaded = body;
    else this.spooled = body;
  }

  /** The frames that carry the whole body after its head, when it is known at dispatch:
   *  none at all (RFC 9112 §6.3: no Content-Length or 0, and no Transfer-Encoding), or
   *  read ahead. Null when it must be streamed. `skip`: the app gets no body at all. */
  wholeFrames(skip: boolean): Buffer[] | null {
    const whole = skip ? EMPTY : this.known();
    if (whole === null) return null;
    this.state = "done";
    if (whole.length === 0) return [BODY_END];
    return [encodeHeader(FrameType.REQUEST_BODY, whole.length), whole, BODY_END];
  }

  private known(): Buffer | null {
    if (this.preloaded && this.preloaded.length <= MAX_BODY_FRAME) return this.preloaded;
    const headers = this.req.headers;
    const length = headers["content-length"];
    const bodiless =
      headers["transfer-encoding"] === undefined && (length === undefined || Number(length) === 0);
    return bodiless ? EMPTY : null;
  }

  /** Streams the body to the daemon: from the spool file, then as it arrives. */
  start(): void {
    this.state = "streaming";
    if (this.preloaded) {
      this.forward(this.preloaded);
      this.end(BODY_END);
      return;
    }
    if (this.spooled) this.sendSpool(this.spooled);
    else this.streamRequest();
  }

  /** The daemon thread is done with the request (`clean`), or gone: a spool file lent to
   *  it is returned. */
  finish(clean: boolean): void {
    this.returnFile?.(clean);
    this.returnFile = null;
  }

  private sendSpool(spooled: SpooledBody): void {
    const channel = this.owner.currentChannel;
    if (!channel?.readsBodyFiles || spooled.length === 0) {
      this.streamSpool(spooled);
      return;
    }
    // The front end neither reads the file back nor copies it into the daemon's socket.
    this.returnFile = spooled.lend();
    this.bytes += spooled.length;
    channel.write(encodeBodyFile(procPath(spooled.file), spooled.length));
    this.afterSpool(spooled);
  }

  /** Sending paused for the daemon's socket buffer: it has drained. */
  resume(): void {
    if (this.readNext) this.readNext();
    // Never before: a request the spool paused must not flow with nobody listening.
    else if (this.fromRequest) this.req.resume();
  }

  /** Reads the spool file into frames, one read at a time, each once the last is sent. */
  private streamSpool(spooled: SpooledBody): void {
    let offset = 0;
    const read = (): void => {
      this.readNext = null;
      const size = Math.min(MAX_BODY_FRAME, spooled.length - offset);
      if (this.state !== "streaming") return;
      if (size === 0) {
        this.afterSpool(spooled);
        return;
      }
      spooled.file.read(Buffer.allocUnsafe(size), 0, size, offset).then(
        ({ bytesRead, buffer }) => {
          offset += bytesRead;
          if (bytesRead === 0) this.end(BODY_ABORT);
          else if (this.forward(buffer.subarray(0, bytesRead))) read();
          else this.readNext = read;
        },
        () => {
          this.end(BODY_ABORT);
        },
      );
    };
    read();
  }

  /** The file is sent: then what the disk did not take, then what is still to come. */
  private afterSpool(spooled: SpooledBody): void {
    for (const chunk of spooled.tail) this.forward(chunk);
    if (spooled.complete) this.end(BODY_END);
    else if (this.state === "streaming") this.streamRequest();
  }

  private streamRequest(): void {
    this.fromRequest = true;
    // The client vanished mid-body: the app's next read raises instead of waiting forever.
    if (this.req.destroyed && !this.req.complete) {
      this.end(BODY_ABORT);
      return;
    }
    this.req.on("data", (chunk: Buffer) => {
      if (!this.forward(chunk)) this.req.pause();
    });
    this.req.on("end", () => {
      this.end(BODY_END);
    });
    this.req.on("aborted", () => {
      this.end(BODY_ABORT);
    });
    // Paused by the spool when it stopped reading; a no-op for a fresh request.
    this.req.resume();
  }

  /** Ends the body (BODY_END or BODY_ABORT) unless it has ended already. */
  end(frame: Buffer): void {
    if (this.state === "done") return;
    this.stopReading();
    this.owner.currentChannel?.write(frame);
  }

  /** The channel is gone: nothing more can be sent. */
  abandon(): void {
    this.stopReading();
  }

  private stopReading(): void {
    this.state = "done";
    this.req.removeAllListeners("data");
    this.readNext = null;
    this.spooled?.dispose();
  }

  /** False when the daemon's socket buffer is full: wait for resume(). */
  private forward(chunk: Buffer): boolean {
    const channel = this.owner.currentChannel;
    if (this.state !== "streaming" || !channel) return true;
    this.bytes += chunk.length;
    if (this.limit > 0 && this.bytes > this.limit) {
      // A chunked body that outgrew --limit-request-body (a declared one was refused
      // before dispatch): the app sees a read error, the client 413 if nothing was sent.
      this.end(BODY_ABORT);
      this.owner.answer(413);
      return true;
    }
    let ok = true;
    for (let offset = 0; offset < chunk.length; offset += MAX_BODY_FRAME) {
      const piece = chunk.subarray(offset, offset + MAX_BODY_FRAME);
      ok = channel.writeBody(encodeHeader(FrameType.REQUEST_BODY, piece.length), piece);
    }
    return ok;
  }
}
