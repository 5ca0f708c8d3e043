/**
 * Request bodies too large to read into memory before dispatch (request-body.ts) are read
 * into a file first: the app is called once the whole body is in, and reads it at disk
 * speed. A slow upload then holds a file and a few buffers, never a Python thread; this is
 * what nginx's proxy_request_buffering and waitress do.
 *
 * The files are unlinked and reused (spool-files.ts). A budget caps the bytes spooled at
 * once (--body-spool-size). A body that does not fit it, or a disk that fails, is not
 * refused: what was spooled goes first and the rest streams as it arrives, as every body
 * did without a spool.
 */
import type { IncomingMessage } from "node:http";
import type { FileHandle } from "node:fs/promises";
import { PREBUFFER_LIMIT } from "./request-body.js";
import type { SpoolFile, SpoolFileSource } from "./spool-files.js";
import type { SpoolBudget } from "./spool-budget.js";

/** Chunks waiting for the disk before the client is paused. */
const WRITE_WINDOW = 1024 * 1024;

/** A body read into a file before dispatch. */
export interface SpooledBody {
  readonly file: FileHandle;
  /** Bytes in the file, from offset 0. */
  readonly length: number;
  /** Chunks that came in but were not written (the disk failed); they follow the file. */
  readonly tail: readonly Buffer[];
  /** False: the rest is still in the request, paused, and streams from there. */
  readonly complete: boolean;
  /** Gives the file back, and its bytes to the budget, once no loan is out; only the
   *  first call counts. Called once the front end reads the file no more. */
  dispose(): void;
  /** The file goes to a daemon thread to read itself: it stays as it is until the loan
   *  is returned, `clean` when the thread has finished with the request (else the file
   *  is closed, never reused: the thread may still read it). */
  lend(): (clean: boolean) => void;
}

/** The spool refused the body: the front end answers `status` (413: past the limit). */
export class SpoolRefusal extends Error {
  constructor(readonly status: number) {
    super(`request body refused (${String(status)})`);
  }
}

export interface SpoolSettings {
  readonly files: SpoolFileSource;
  readonly budget: SpoolBudget;
  /** --limit-request-body; 0: unlimited. */
  readonly limitRequestBody: number;
  /** A disk failure: logged, and the body streams instead. */
  readonly warn: (message: string) => void;
}

export class RequestSpooler {
  constructor(private readonly settings: SpoolSettings) {}

  /** A body goes to a file first when it is too large to read ahead into memory, or of
   *  unknown length (chunked), unless the app must first ask for it (100-continue). */
  wants(req: IncomingMessage, expectContinue: boolean): boolean {
    if (this.settings.budget.limit === 0 || expectContinue) return false;
    if (req.headers["transfer-encoding"] !== undefined) return true;
    return Number(req.headers["content-length"] ?? 0) > PREBUFFER_LIMIT;
  }

  /** The body, read into a file; null when it must stream (no room in the budget, or no
   *  file). Rejects when the client goes away or the body is refused (SpoolRefusal). */
  async spool(req: IncomingMessage): Promise<SpooledBody | null> {
    const { budget } = this.settings;
    const declared = req.headers["transfer-encoding"] === undefined;
    const reserved = declared ? Number(req.headers["content-length"]) : 0;
    if (!budget.take(reserved)) return null;
    let file: SpoolFile;
    try {
      file = await this.settings.files.take();
    } catch (error) {
      budget.give(reserved);
      this.settings.warn(`cannot spool a request body: ${String(error)}; streaming it instead`);
      return null;
    }
    return new SpoolWriter(req, file, reserved, this.settings).done;
  }
}

/** Copies one request's body into its file, with back-pressure on the client. */
class SpoolWriter {
  readonly done: Promise<SpooledBody>;
  private settle!: (body: SpooledBody) => void;
  private fail!: (error: Error) => void;
  private waiting: Buffer[] = [];
  private waitingBytes = 0;
  private written = 0;
  private received = 0;
  /** A write to the file is under way. */
  private writing = false;
  /** The client's side: still read here, the whole body came in (ended), or no more is
   *  read here (stopped: refused, gone, or left to stream). Leaves reading once. */
  private input: "reading" | "ended" | "stopped" = "reading";
  private settled = false;
  /** The file's side: in use, disposed of by the exchange (waiting for a write or a
   *  loan to finish), or given back to the pool with its budget. In that order only. */
  private fileState: "in use" | "disposed" | "given back" = "in use";
  /** The disk failed this file, or a thread may still read it: closed, not used again;
   *  nothing more is written to it. */
  private failed = false;
  private loans = 0;
  /** Of unknown length: its bytes are taken from the budget as they come. */
  private readonly chunked: boolean;

  constructor(
    private readonly req: IncomingMessage,
    private readonly file: SpoolFile,
    /** Bytes taken from the budget: a declared length up front, a chunked body as it comes. */
    private reserved: number,
    private readonly settings: SpoolSettings,
  ) {
    this.chunked = req.headers["transfer-encoding"] !== undefined;
    this.done = new Promise((resolve, reject) => {
      this.settle = resolve;
      this.fail = reject;
    });
    req.on("data", this.onData);
    req.once("end", this.onEnd);
    req.once("close", this.onClose);
    // Closed while its file was being made: that 'close' has been and gone.
    if (req.destroyed) this.onClose();
  }

  private readonly onData = (chunk: Buffer): void => {
    this.received += chunk.length;
    const { limitRequestBody, budget } = this.settings;
    if (limitRequestBody > 0 && this.received > limitRequestBody) {
      // A chunked body past --limit-request-body: refused before the app ever runs.
      this.abandon(new SpoolRefusal(413));
      return;
    }
    this.waiting.push(chunk);
    this.waitingBytes += chunk.length;
    if (this.chunked && !budget.take(chunk.length)) {
      this.stopReading();
      this.finishWhenWritten();
      return;
    }
    if (this.chunked) this.reserved += chunk.length;
    if (this.waitingBytes >= WRITE_WINDOW) this.req.pause();
    this.write();
  };

  private readonly onEnd = (): void => {
    if (this.input === "reading") this.input = "ended";
    this.finishWhenWritten();
  };

  private readonly onClose = (): void => {
    if (!this.req.complete) this.abandon(new Error("client went away during the body"));
  };

  private write(): void {
    if (this.writing || this.input === "stopped" || this.failed) return;
    if (this.waiting.length === 0) return;
    const batch = this.waiting;
    const batchBytes = this.waitingBytes;
    this.waiting = [];
    this.waitingBytes = 0;
    this.writing = true;
    // Positional: after a failed write the file is read only up to `written`.
    this.file.handle.writev(batch, this.written).then(
      ({ bytesWritten }) => {
        this.writing = false;
        this.file.size = Math.max(this.file.size, this.written + bytesWritten);
        if (bytesWritten < batchBytes) this.failed = true;
        this.giveFileBack();
        if (this.settled) return;
        this.written += bytesWritten;
        if (this.failed) {
          const rest = Buffer.concat(batch).subarray(bytesWritten);
          this.diskFailed(`short write (${String(bytesWritten)} of ${String(batchBytes)})`, rest);
          return;
        }
        if (this.input === "reading" && this.waitingBytes < WRITE_WINDOW) this.req.resume();
        this.write();
        this.finishWhenWritten();
      },
      (error: unknown) => {
        this.writing = false;
        this.failed = true;
        this.giveFileBack();
        if (this.settled) return;
        this.diskFailed(String(error), ...batch);
      },
    );
  }

  /** What the disk did not take goes after the file; the rest of the body streams. */
  private diskFailed(reason: string, ...unwritten: Buffer[]): void {
    this.settings.warn(`cannot spool a request body: ${reason}; streaming the rest`);
    this.waiting = [...unwritten, ...this.waiting];
    this.stopReading();
    this.resolve();
  }

  /** Settles once nothing is being written: with the whole body, or with what came. */
  private finishWhenWritten(): void {
    if (this.writing) return;
    if (this.input !== "reading") this.resolve();
  }

  private resolve(): void {
    if (this.settled) return;
    this.settled = true;
    this.detach();
    this.settle({
      file: this.file.handle,
      length: this.written,
      tail: this.waiting,
      complete: this.input === "ended",
      dispose: () => {
        this.dispose();
      },
      lend: () => this.lend(),
    });
  }

  private stopReading(): void {
    if (this.input === "reading") this.input = "stopped";
    this.req.pause();
    this.req.removeListener("data", this.onData);
  }

  private abandon(error: Error): void {
    if (this.settled) return;
    this.settled = true;
    this.stopReading();
    this.detach();
    this.dispose();
    this.fail(error);
  }

  private detach(): void {
    this.req.removeListener("data", this.onData);
    this.req.removeListener("end", this.onEnd);
    this.req.removeListener("close", this.onClose);
  }

  private dispose(): void {
    if (this.fileState !== "in use") return;
    this.fileState = "disposed";
    this.giveFileBack();
  }

  private lend(): (clean: boolean) => void {
    this.loans += 1;
    let returned = false;
    return (clean) => {
      if (returned) return;
      returned = true;
      this.loans -= 1;
      if (!clean) this.failed = true;
      this.giveFileBack();
    };
  }

  /** Once disposed, with no write under way (it would land in the next body) and no loan
   *  out: the file to the pool, its bytes to the budget. */
  private giveFileBack(): void {
    if (this.fileState !== "disposed" || this.writing || this.loans > 0) return;
    this.fileState = "given back";
    this.settings.budget.give(this.reserved);
    this.settings.files.give(this.file, !this.failed);
  }
}
