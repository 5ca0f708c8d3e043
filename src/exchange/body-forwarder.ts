/**
 * A request's body on its way to the backend: sent with the head when it is known at
 * dispatch (none, or read ahead), else streamed with back-pressure, from its spool file
 * (request-spool.ts) and then, for what was not spooled, from the client as it arrives.
 * A backend that can open the spool file is given the file instead, and reads it itself.
 * Always ended exactly once: whole, or aborted when it broke.
 */
import type { IncomingMessage } from "node:http";
import type { SpooledBody } from "../buffering/request-spool.js";
import type { BodySink } from "./backend.js";

const EMPTY = Buffer.alloc(0);
/** The most read from the spool file at once. */
const SPOOL_READ = 1024 * 1024;
/** The most of a body read ahead into memory that goes out with its head, in one write. */
const WHOLE_MAX = 1024 * 1024;

/** The exchange around the forwarder. */
export interface BodyOwner {
  /** Where the body goes while the request is on the backend; null before and after. */
  readonly sink: BodySink | null;
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

  /** It is known in full now, so whole() will not return null. */
  knownAtDispatch(skip: boolean): boolean {
    return skip || this.known() !== null;
  }

  /** A body the front end read before dispatch (a slow uploader never holds a Python
   *  thread): in memory, sent at once, or in a spool file, streamed from there. */
  preload(body: Buffer | SpooledBody): void {
    if (Buffer.isBuffer(body)) this.preloaded = body;
    else this.spooled = body;
  }

  /** The whole body, to go with its head, when it is known at dispatch: none at all
   *  (RFC 9112 §6.3: no Content-Length or 0, and no Transfer-Encoding; empty), or read
   *  ahead. Null when it must be streamed. `skip`: the app gets no body at all. */
  whole(skip: boolean): Buffer | null {
    const whole = skip ? EMPTY : this.known();
    if (whole !== null) this.state = "done";
    return whole;
  }

  private known(): Buffer | null {
    if (this.preloaded && this.preloaded.length <= WHOLE_MAX) return this.preloaded;
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
      this.end(false);
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
    const sink = this.owner.sink;
    if (!sink?.readsBodyFiles || spooled.length === 0) {
      this.streamSpool(spooled);
      return;
    }
    // The front end neither reads the file back nor copies it to the backend.
    this.returnFile = spooled.lend();
    this.bytes += spooled.length;
    sink.sendBodyFile(spooled);
    this.afterSpool(spooled);
  }

  /** Sending paused for the backend's buffer: it has drained. */
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
      const size = Math.min(SPOOL_READ, spooled.length - offset);
      if (this.state !== "streaming") return;
      if (size === 0) {
        this.afterSpool(spooled);
        return;
      }
      spooled.file.read(Buffer.allocUnsafe(size), 0, size, offset).then(
        ({ bytesRead, buffer }) => {
          offset += bytesRead;
          if (bytesRead === 0) this.end(true);
          else if (this.forward(buffer.subarray(0, bytesRead))) read();
          else this.readNext = read;
        },
        () => {
          this.end(true);
        },
      );
    };
    read();
  }

  /** The file is sent: then what the disk did not take, then what is still to come. */
  private afterSpool(spooled: SpooledBody): void {
    for (const chunk of spooled.tail) this.forward(chunk);
    if (spooled.complete) this.end(false);
    else if (this.state === "streaming") this.streamRequest();
  }

  private streamRequest(): void {
    this.fromRequest = true;
    // The client vanished mid-body: the app's next read raises instead of waiting forever.
    if (this.req.destroyed && !this.req.complete) {
      this.end(true);
      return;
    }
    this.req.on("data", (chunk: Buffer) => {
      if (!this.forward(chunk)) this.req.pause();
    });
    this.req.on("end", () => {
      this.end(false);
    });
    this.req.on("aborted", () => {
      this.end(true);
    });
    // Paused by the spool when it stopped reading; a no-op for a fresh request.
    this.req.resume();
  }

  /** Ends the body, whole or `aborted`, unless it has ended already. */
  end(aborted: boolean): void {
    if (this.state === "done") return;
    this.stopReading();
    this.owner.sink?.endBody(aborted);
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

  /** False when the backend's buffer is full: wait for resume(). */
  private forward(chunk: Buffer): boolean {
    const sink = this.owner.sink;
    if (this.state !== "streaming" || !sink) return true;
    this.bytes += chunk.length;
    if (this.limit > 0 && this.bytes > this.limit) {
      // A chunked body that outgrew --limit-request-body (a declared one was refused
      // before dispatch): the app sees a read error, the client 413 if nothing was sent.
      this.end(true);
      this.owner.answer(413);
      return true;
    }
    return sink.sendBody(chunk);
  }
}
