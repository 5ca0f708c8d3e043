/**
 * The response's socket, to cork, rather than the response. Corking a ServerResponse
 * in node 22 holds a chunked body in a buffer of the response's own, and a write that
 * returns false there is never followed by 'drain' (the socket did not fill, so it has
 * none to pass on): the relay, waiting for it with the daemon paused, hung the response
 * for good. Node 20 corks the socket itself, so this is what it always did. A response
 * waiting behind a pipelined one has no socket yet; it goes out uncorked. Over HTTP/2
 * nothing is corked: the socket is the session's, and nghttp2 packs frames itself.
 * A class, not closures: the relay makes its corks only when a response needs one.
 */
import type { ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { isHttp2 } from "../http/h2-compat.js";
import type { Corkable } from "../turn-batch.js";

export class SocketCork implements Corkable {
  private corked: Socket | null = null;

  constructor(private readonly res: ServerResponse) {}

  cork(): void {
    if (isHttp2(this.res)) return;
    this.corked = this.res.socket;
    this.corked?.cork();
  }

  uncork(): void {
    this.corked?.uncork();
    this.corked = null;
  }
}
