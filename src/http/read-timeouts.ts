/**
 * Slow clients, as Apache's mod_reqtimeout and mod_wsgi's response-socket-timeout treat
 * them: a request head or body that arrives too slowly gets 408 (or a plain close when
 * nothing of the head came), and a client that stops reading its response is cut off.
 *
 * One sweep over the open connections every SWEEP_MS does it all: an idle connection
 * costs a few fields, not a timer, so thousands of slow connections stay cheap.
 */
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { TLSSocket } from "node:tls";
import { FrontEndH2Request, StreamMeter } from "./h2-compat.js";
import { acceptTime, isH2c } from "./h2c-sockets.js";
import { connectionEvent } from "./tls.js";

const SWEEP_MS = 250;

/** A phase's allowance (mod_reqtimeout `header=15-30,MinRate=500`), in seconds and bytes.
 *  timeout 0: no limit; max 0: MinRate may extend it without end. */
export interface PhaseLimit {
  readonly timeout: number;
  readonly max: number;
  readonly minRate: number;
}

export interface SlowClientLimits {
  readonly header: PhaseLimit;
  readonly body: PhaseLimit;
  /** Seconds a pending response write may make no progress; 0: never cut. */
  readonly responseSocketTimeout: number;
}

/** When a phase that began at `start` (ms) and has received `bytes` since runs out:
 *  each `minRate` bytes buy one more second, up to `max`. Infinity: never. */
export function phaseDeadline(limit: PhaseLimit, start: number, bytes: number): number {
  if (limit.timeout <= 0) return Infinity;
  const earned = limit.minRate > 0 ? Math.floor(bytes / limit.minRate) : 0;
  const seconds =
    limit.max > 0
      ? Math.min(limit.timeout + earned, Math.max(limit.max, limit.timeout))
      : limit.timeout + earned;
  return start + seconds * 1000;
}

type Phase = "header" | "body" | "busy" | "idle";

interface Watched {
  phase: Phase;
  /** When the phase began (ms) and socket.bytesRead then. */
  start: number;
  readAtStart: number;
  req: IncomingMessage | null;
  /** Last socket.bytesWritten seen, and when it last moved (or nothing was pending). */
  written: number;
  writeProgressAt: number;
}

export interface SlowClientHandlers {
  /** The head did not arrive in time; `partial`: some of it did (answer 408). */
  readonly onHeaderTimeout: (socket: Socket, partial: boolean) => void;
  readonly onBodyTimeout: (req: IncomingMessage) => void;
  /** A connection, or one HTTP/2 stream (its destroy() resets the stream alone). */
  readonly onWriteStall: (target: { destroy: () => void }) => void;
}

/** What is watched: an HTTP/1.1 connection's socket, or an HTTP/2 stream (h2-compat.ts):
 *  an HTTP/2 session's socket carries many requests, so its bytes say nothing of one. */
type Target = Socket | StreamMeter;

export class SlowClientWatch {
  private readonly watched = new Map<Target, Watched>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly limits: SlowClientLimits,
    private readonly handlers: SlowClientHandlers,
    private readonly now: () => number = Date.now,
  ) {
    this.timer = setInterval(() => {
      this.sweep();
    }, SWEEP_MS);
    this.timer.unref();
  }

  get size(): number {
    return this.watched.size;
  }

  attach(server: Server): void {
    // A TLS listener's requests come on the socket its handshake gives.
    server.on(connectionEvent(server), (socket: Socket) => {
      // An HTTP/2 session (ALPN h2): its streams are watched, each from its request on.
      if ((socket as Partial<TLSSocket>).alpnProtocol === "h2" || isH2c(socket)) return;
      // A connection whose first bytes were read to look for h2c's preface (h2c.ts):
      // timed from its accept, those bytes counted as part of its head.
      const entry = this.fresh("header", socket);
      entry.start = acceptTime(socket) ?? entry.start;
      entry.readAtStart = 0;
      this.watched.set(socket, entry);
      socket.once("close", () => this.watched.delete(socket));
    });
    server.on("request", (req: IncomingMessage, res: ServerResponse) => {
      this.onRequest(req, res);
    });
    for (const event of ["checkContinue", "checkExpectation"]) {
      server.on(event, (req: IncomingMessage, res: ServerResponse) => {
        this.onRequest(req, res);
      });
    }
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private fresh(phase: Phase, socket: Target, req: IncomingMessage | null = null): Watched {
    const now = this.now();
    return {
      phase,
      start: now,
      readAtStart: socket.bytesRead,
      req,
      written: socket.bytesWritten,
      writeProgressAt: now,
    };
  }

  private enter(socket: Target, phase: Phase, req: IncomingMessage | null = null): void {
    const entry = this.watched.get(socket);
    if (!entry) return;
    entry.phase = phase;
    entry.start = this.now();
    entry.readAtStart = socket.bytesRead;
    entry.req = req;
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    const h2 = req as object;
    if (h2 instanceof FrontEndH2Request) {
      this.onStream(req, res, h2);
      return;
    }
    const socket = req.socket;
    const hasBody =
      req.headers["transfer-encoding"] !== undefined ||
      Number(req.headers["content-length"] ?? 0) > 0;
    if (hasBody && !req.complete) {
      this.enter(socket, "body", req);
      req.once("end", () => {
        if (this.watched.get(socket)?.req === req) this.enter(socket, "busy");
      });
    } else {
      this.enter(socket, "busy");
    }
    res.once("finish", () => {
      // The next request's head is timed from its first byte; until then the connection
      // is idle and node's keep-alive timeout applies.
      if (!socket.destroyed) this.enter(socket, "idle");
    });
  }

  /** An HTTP/2 request: its stream is watched from now until its response is out. */
  private onStream(req: IncomingMessage, res: ServerResponse, h2: FrontEndH2Request): void {
    const meter = new StreamMeter(h2.stream);
    const forget = (): void => {
      this.watched.delete(meter);
    };
    meter.onClose(forget);
    res.once("finish", forget);
    const hasBody = !h2.stream.endAfterHeaders && !req.complete;
    this.watched.set(meter, this.fresh(hasBody ? "body" : "busy", meter, hasBody ? req : null));
    if (hasBody) {
      req.once("end", () => {
        if (this.watched.get(meter)?.req === req) this.enter(meter, "busy");
      });
    }
  }

  private sweep(): void {
    const now = this.now();
    for (const [socket, entry] of this.watched) {
      if (socket.destroyed) continue;
      this.checkWrites(socket, entry, now);
      this.checkReads(socket, entry, now);
    }
  }

  private checkReads(socket: Target, entry: Watched, now: number): void {
    const received = socket.bytesRead - entry.readAtStart;
    if (entry.phase === "idle") {
      if (received > 0) {
        entry.phase = "header";
        entry.start = now;
      }
      return;
    }
    if (entry.phase === "header") {
      if (socket instanceof StreamMeter) return;
      if (now >= phaseDeadline(this.limits.header, entry.start, received)) {
        entry.phase = "busy";
        this.handlers.onHeaderTimeout(socket, socket.bytesRead > entry.readAtStart);
      }
      return;
    }
    if (entry.phase !== "body" || !entry.req) return;
    if (entry.req.readableFlowing !== true) {
      // Not being read (queued for a thread, or held back by a slow app): the client is
      // not at fault, so the clock restarts when reading does.
      entry.start = now;
      entry.readAtStart = socket.bytesRead;
      return;
    }
    if (now >= phaseDeadline(this.limits.body, entry.start, received)) {
      const req = entry.req;
      entry.phase = "busy";
      entry.req = null;
      this.handlers.onBodyTimeout(req);
    }
  }

  private checkWrites(socket: Target, entry: Watched, now: number): void {
    const limit = this.limits.responseSocketTimeout;
    if (limit <= 0) return;
    if (socket.writableLength === 0 || socket.bytesWritten !== entry.written) {
      entry.written = socket.bytesWritten;
      entry.writeProgressAt = now;
      return;
    }
    if (now - entry.writeProgressAt >= limit * 1000) {
      entry.writeProgressAt = now;
      this.handlers.onWriteStall(socket);
    }
  }
}
