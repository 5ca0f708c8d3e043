/**
 * An upgraded request (WebSocket, or any `Upgrade`) passed through: mod_wsgi-express's
 * `ProxyPass ... upgrade=websocket`. The back end's 101 and its fields go to the client,
 * then the two sockets are piped into each other, full duplex: pipe() pauses the side
 * that reads while the other cannot take more (back-pressure both ways), and passes an
 * end on (a half-close), so that either side can close cleanly. A back end that refuses
 * the upgrade (any other status) is relayed as a plain response (ProxyRelay).
 *
 * As mod_proxy_wstunnel, a tunnel silent both ways for --proxy-timeout is closed.
 */
import type { ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import type { Dispatcher } from "undici";
import { countBody } from "../http/access-log.js";
import { upgradeHeaders } from "./forward-headers.js";
import { ProxyRelay, type RelayEnds } from "./relay.js";

/** The client's side of an upgrade: its socket, and the bytes read past its head. */
export interface ClientUpgrade {
  readonly socket: Duplex;
  readonly head: Buffer;
}

export class TunnelRelay extends ProxyRelay {
  constructor(
    private readonly response: ServerResponse,
    private readonly client: ClientUpgrade,
    route: string,
    private readonly timeoutSeconds: number,
    ends: RelayEnds,
  ) {
    super(response, route, (url) => url, timeoutSeconds, ends);
  }

  onRequestUpgrade(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    _headers: unknown,
    backend: Duplex,
  ): void {
    // From here the sockets are the tunnel's: nothing is relayed or aborted any more.
    this.done = true;
    const { socket, head } = this.client;
    if (socket.destroyed) {
      backend.destroy();
      return;
    }
    const raw = (controller.rawHeaders ?? []) as readonly (Buffer | string)[];
    const fields = upgradeHeaders(raw);
    let text = `HTTP/1.1 ${statusCode} Switching Protocols\r\n`;
    for (let i = 0; i + 1 < fields.length; i += 2) text += `${fields[i]}: ${fields[i + 1]}\r\n`;
    socket.write(text + "\r\n", "latin1");
    // The access log's line: status 101, and the bytes the back end sent, at the end.
    this.response.statusCode = 101;
    if (head.length > 0) backend.write(head);
    splice(socket, backend, this.timeoutSeconds, (bytes) => {
      countBody(this.response, bytes);
    }).then(
      () => this.response.emit("close"),
      () => this.response.emit("close"),
    );
  }
}

/** Pipes two sockets into each other until both are closed; `counted` hears of each
 *  piece the back end sends. */
function splice(
  client: Duplex,
  backend: Duplex,
  timeoutSeconds: number,
  counted: (bytes: number) => void,
): Promise<void> {
  return new Promise((resolve) => {
    let open = 2;
    const closed = (): void => {
      open -= 1;
      if (open === 0) resolve();
    };
    const fail = (): void => {
      client.destroy();
      backend.destroy();
    };
    // A side gone (cleanly or not) ends the other: what is queued for it is flushed,
    // and a peer that never closes its side is cut after a grace period.
    const endOther = (other: Duplex): void => {
      other.end();
      setTimeout(() => other.destroy(), 5000).unref();
      closed();
    };
    client.once("close", () => {
      endOther(backend);
    });
    backend.once("close", () => {
      endOther(client);
    });
    client.on("error", fail);
    backend.on("error", fail);
    backend.on("data", (chunk: Buffer) => {
      counted(chunk.length);
    });
    // Idle both ways for --proxy-timeout: closed (0: no limit; any timer node:http set
    // for keep-alive is replaced).
    if ("setTimeout" in client) {
      const timed = client as Duplex & { setTimeout(ms: number, cb?: () => void): void };
      if (timeoutSeconds > 0) timed.setTimeout(timeoutSeconds * 1000, fail);
      else timed.setTimeout(0);
    }
    client.pipe(backend);
    backend.pipe(client);
  });
}
