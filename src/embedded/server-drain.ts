/**
 * How an embedded worker stops taking connections without losing a request. Workers
 * share the listening socket (node:cluster), so a worker on its way out closes its own
 * copy of it, and the kernel hands new connections to the others. Its keep-alive
 * connections are not cut while idle (a request the client sends at that moment would
 * be lost: RFC 9112 §9.3.1 leaves only idempotent ones to be retried): each one's next
 * response says Connection: close and the connection ends after it; an idle one ends
 * at --keep-alive-timeout, as any other. When every connection has ended the worker is
 * done; at the deadline what is left is cut (mod_wsgi's graceful-timeout expiring).
 * A stop (SIGTERM) closes the idle connections at once, as node's server.close() does.
 */
import type { Server, ServerResponse } from "node:http";
import { Server as NetServer } from "node:net";
import type { TimerHandle, Timers } from "../process/timers.js";

export class ServerDrain {
  private closing = false;
  private done = false;
  private deadline: TimerHandle | undefined;
  private deadlineAt = Infinity;

  constructor(
    private readonly server: Server,
    private readonly timers: Timers,
    /** --http2 (h2c): its sessions are sent GOAWAY, their streams finish. */
    private readonly http2: boolean,
    /** Every connection has ended, or the deadline cut them: the worker may exit. */
    private readonly onDone: () => void,
  ) {
    // First, before the front door writes a head: a response begun before the drain
    // keeps its keep-alive, and the connection's next response closes it.
    server.prependListener("request", (_req, res: ServerResponse) => {
      if (this.closing) res.shouldKeepAlive = false;
    });
  }

  get draining(): boolean {
    return this.closing;
  }

  /** Stops accepting; done once every connection has ended, or at `withinMs` from now
   *  (the sooner deadline wins when called again). `closeIdle`: a shutdown, the idle
   *  connections are closed now. */
  close(withinMs: number, closeIdle: boolean): void {
    this.shortenDeadline(withinMs);
    if (closeIdle || this.http2) this.server.closeIdleConnections();
    if (this.closing) return;
    this.closing = true;
    // net.Server's close, not http.Server's: that one also cuts the idle connections.
    NetServer.prototype.close.call(this.server, () => {
      this.finish();
    });
  }

  private shortenDeadline(withinMs: number): void {
    const at = this.timers.now() + withinMs;
    if (at >= this.deadlineAt || this.done) return;
    this.deadlineAt = at;
    this.timers.clearTimeout(this.deadline);
    this.deadline = this.timers.setTimeout(() => {
      this.server.closeAllConnections();
      this.finish();
    }, withinMs);
  }

  private finish(): void {
    if (this.done) return;
    this.done = true;
    this.timers.clearTimeout(this.deadline);
    this.onDone();
  }
}
