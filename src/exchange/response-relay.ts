/**
 * The daemon's response on its way to the client: the head re-validated and written
 * (--error-override, --error-document pages and --compress-responses applied), the body
 * relayed with back-pressure and never past its Content-Length, then the end. A client
 * that falls --response-buffer-size behind gets the rest from a spool file
 * (response-spool.ts), so the daemon thread is not held for it.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { Writable } from "node:stream";
import { STATUS_CODES } from "node:http";
import { countBody, recordHeaders } from "../http/access-log.js";
import { BadResponseHead, checkResponseHead } from "./response-head.js";
import { gzipHead, gzipTo } from "../http/compress.js";
import { isHttp2, resetStream } from "../http/h2-compat.js";
import { TurnBatch, type Corkable } from "../turn-batch.js";
import { FlushDelay, type FlushTimers } from "./flush-delay.js";
import type { AppResponseHead } from "./backend.js";
import { ResponseSpool, type HeldPiece } from "../buffering/response-spool.js";
import type { MemoryShare } from "../buffering/response-memory.js";
import type { RelayPolicy } from "./relay-policy.js";

/** What the relay needs from the server around it (a part of ExchangeContext). */
export interface RelayContext {
  readonly policy: RelayPolicy;
  /** This exchange fetches the --error-document page for that status from the app: the
   *  client's body is not forwarded and the page goes out with that status. */
  readonly errorPageFor?: number;
  readonly logError: (message: string) => void;
}

/** The exchange around the relay. */
export interface RelayOwner {
  /** The front end answers instead of the app (its own page, or a cut response). */
  answer(status: number): void;
  /** Stops the backend's output while the client is slow (its --socket-timeout does
   *  not count meanwhile); returns how to let it go on. */
  pauseBackend(): () => void;
  /** Makes a piece of the response outlive the call that delivered it. */
  hold(piece: Buffer): HeldPiece;
}

/** Body pieces this large are held (corked) until the end of the event-loop turn. */
const BATCH_MIN = 16 * 1024;

export class ResponseRelay {
  headSent = false;
  private sentBytes = 0;
  private declaredLength: number | null = null;
  private mayHaveBody = true;
  /** The app sent more than its Content-Length: close the connection after the response. */
  private cutAfterEnd = false;
  /** Where the body goes: the response, or a gzip stream feeding it. */
  private out: Writable;
  /** Pieces of a large body that arrive in one event-loop turn leave together. */
  private readonly batch: TurnBatch;
  /** Small pieces of a streamed body wait --response-flush-delay for more. */
  private readonly delay: FlushDelay;
  /** Made the first time the client falls --response-buffer-size behind. */
  private spool: ResponseSpool | null = null;
  /** This response's part of --response-memory-size, from its first write. */
  private memory: MemoryShare | null = null;

  constructor(
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
    private readonly context: RelayContext,
    private readonly owner: RelayOwner,
    timers?: FlushTimers,
  ) {
    this.out = res;
    // Each its own cork on the socket (node counts them), released on its own schedule.
    this.batch = new TurnBatch(socketOf(res));
    this.delay = new FlushDelay(socketOf(res), context.policy.flushDelayMs, timers);
  }

  /** The app's head: checked, then written, or answered by the front end instead. */
  head(appHead: AppResponseHead): void {
    let head;
    try {
      head = checkResponseHead(appHead, this.context.policy.headerBufferSize);
    } catch (error) {
      this.badHead(error instanceof BadResponseHead ? error.message : String(error));
      return;
    }
    const page = this.context.errorPageFor;
    const statusCode = page ?? head.statusCode;
    const reason = page === undefined ? head.reason : "";
    // The page failed itself: Apache then falls back to its built-in page.
    if (page !== undefined && head.statusCode >= 400) {
      this.owner.answer(page);
      return;
    }
    if (this.context.policy.errorOverride && page === undefined && statusCode >= 400) {
      // WSGIErrorOverride On: the app's body is discarded for the server's error page.
      this.owner.answer(statusCode);
      return;
    }
    this.declaredLength = head.contentLength;
    this.mayHaveBody = this.req.method !== "HEAD" && statusCode !== 204 && statusCode !== 304;
    if (!this.context.policy.keepAlive) this.res.shouldKeepAlive = false;
    const compressed = this.context.policy.compressResponses
      ? gzipHead(statusCode, head.headers, this.req.headers["accept-encoding"])
      : null;
    const headers = compressed?.headers ?? head.headers;
    this.res.writeHead(statusCode, reason || STATUS_CODES[statusCode] || "", headers);
    recordHeaders(this.res, headers);
    if (compressed?.gzip === true) this.out = gzipTo(this.res);
    this.headSent = true;
  }

  /** A head that cannot be sent: the client gets 500. */
  badHead(why: string): void {
    this.context.logError(`bad response head from the application: ${why}`);
    this.owner.answer(500);
  }

  /** A piece of the body, as it arrived. */
  body(payload: Buffer): void {
    let chunk = payload;
    if (this.declaredLength !== null && this.sentBytes + chunk.length > this.declaredLength) {
      // Never send more than the app declared; the surplus is a bug the client must see
      // as a closed connection, not as the start of a next response.
      chunk = chunk.subarray(0, this.declaredLength - this.sentBytes);
      this.cutAfterEnd = true;
    }
    this.sentBytes += chunk.length;
    // A large body arrives from the daemon as many socket reads in one turn; they go to
    // the client in one writev at its end. (A small body is written at once: it is all
    // there is; gzipped, the zlib stream writes to the client on its own schedule.)
    if (chunk.length >= BATCH_MIN && this.out === this.res) this.batch.hold();
    // Gzipped, the access log counts the bytes that leave (gzipTo counts them), as %b does.
    if (this.mayHaveBody && this.out === this.res) countBody(this.res, chunk.length);
    if (this.spool?.holding === true) {
      this.spool.append(this.owner.hold(chunk));
      return;
    }
    const held = this.holdSmall(chunk);
    const accepted = this.write(chunk);
    if (held) this.delay.after(chunk.length);
    // The whole declared body is here: the end follows at once, nothing waits for it.
    else if (this.sentBytes === this.declaredLength) this.delay.release();
    // The daemon runs on while up to --response-buffer-size bytes wait for a slow reader
    // (and --response-memory-size for all of them); past that, the rest goes to the
    // spool, or the daemon waits for the client.
    if (!accepted && this.farBehind()) {
      const spool = this.spoolFor();
      if (spool !== null) spool.engage();
      else this.waitForClient();
    }
  }

  /** A small piece of a streamed body waits for more (flush-delay.ts); not gzipped (zlib
   *  writes on its own schedule), nor one that completes the Content-Length (the end
   *  follows it at once: a response such as hello's never arms the delay). */
  private holdSmall(chunk: Buffer): boolean {
    if (chunk.length >= BATCH_MIN || this.out !== this.res) return false;
    if (this.sentBytes === this.declaredLength) return false;
    this.delay.before();
    return true;
  }

  private waitForClient(): void {
    this.out.once("drain", this.holdDaemon());
  }

  /** Pauses the backend, counted as waiting for the client by its --socket-timeout;
   *  returns how to let it go on. */
  private holdDaemon(): () => void {
    return this.owner.pauseBackend();
  }

  private spoolFor(): ResponseSpool | null {
    const settings = this.context.policy.responseSpool;
    if (this.spool !== null || settings === null || settings.budget.limit === 0) {
      return this.spool;
    }
    const spool = new ResponseSpool(
      settings,
      this.out,
      // Waiting for the disk or the budget is waiting for the client too.
      () => this.holdDaemon(),
      () => {
        cutResponse(this.res);
      },
    );
    this.res.once("close", () => {
      spool.dispose();
    });
    this.spool = spool;
    return spool;
  }

  /** Writes a piece of the backend's buffer, which may be used again once this returns
   *  (the daemon sockets' read buffers). */
  private write(piece: Buffer): boolean {
    const held = this.owner.hold(piece);
    const done = this.memoryShare()?.hold(held.buffer.length, held.repay) ?? held.repay;
    return done === null ? this.out.write(held.buffer) : this.out.write(held.buffer, done);
  }

  private memoryShare(): MemoryShare | null {
    if (this.memory === null && this.context.policy.responseMemory !== null) {
      this.memory = this.context.policy.responseMemory.share();
    }
    return this.memory;
  }

  /** The response closed (ended, or its client went away): nothing of it waits now. */
  closed(): void {
    this.delay.release();
    this.memory?.close();
  }

  /** The client is behind by more than this response, or all of them, may hold. */
  private farBehind(): boolean {
    return (
      this.queuedForClient() >= this.context.policy.responseBufferSize ||
      this.context.policy.responseMemory?.full === true
    );
  }

  /** The daemon finished the response: it ends whole, or is cut when it broke its
   *  Content-Length either way. */
  finish(): void {
    this.flush();
    if (this.spool?.holding === true) {
      this.spool.end(() => {
        this.end();
      });
    } else {
      this.end();
    }
  }

  /** The front end cut the response or answers instead: nothing held goes out. */
  stop(): void {
    this.delay.release();
    this.spool?.dispose();
  }

  private end(): void {
    if (this.cutAfterEnd || this.shortOfDeclared()) cutResponse(this.res);
    else this.out.end();
  }

  /** Writes what is held back for the end of the event-loop turn now. */
  flush(): void {
    this.batch.release();
    this.delay.release();
  }

  private queuedForClient(): number {
    return this.res.writableLength + (this.out === this.res ? 0 : this.out.writableLength);
  }

  private shortOfDeclared(): boolean {
    return this.mayHaveBody && this.declaredLength !== null && this.sentBytes < this.declaredLength;
  }
}

/**
 * The response's socket, to cork, rather than the response. Corking a ServerResponse
 * in node 22 holds a chunked body in a buffer of the response's own, and a write that
 * returns false there is never followed by 'drain' (the socket did not fill, so it has
 * none to pass on): the relay, waiting for it with the daemon paused, hung the response
 * for good. Node 20 corks the socket itself, so this is what it always did. A response
 * waiting behind a pipelined one has no socket yet; it goes out uncorked. Over HTTP/2
 * nothing is corked: the socket is the session's, and nghttp2 packs frames itself.
 */
function socketOf(res: ServerResponse): Corkable {
  let corked: Socket | null = null;
  const http2 = isHttp2(res);
  return {
    cork: () => {
      if (http2) return;
      corked = res.socket;
      corked?.cork();
    },
    uncork: () => {
      corked?.uncork();
      corked = null;
    },
  };
}

/**
 * Ends a response the client must see as incomplete: what was written is flushed, then
 * the connection closes without a final chunk (or short of Content-Length). destroy()
 * alone would also drop the bytes still queued for the client. Over HTTP/2 only the
 * response's stream is reset: the connection carries other requests.
 */
export function cutResponse(res: ServerResponse): void {
  if (resetStream(res)) return;
  const socket = res.socket;
  if (socket) socket.end();
  else res.destroy();
}
