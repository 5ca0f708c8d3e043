/**
 * Sends a request the proxy takes to its back end: the head rewritten
 * (forward-headers.ts), the body streamed as it arrives (never spooled: undici writes it
 * with back-pressure, so an upload holds no more than socket buffers), the response
 * relayed (relay.ts), or the connection handed over after a 101 (tunnel.ts).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { Transform, type TransformCallback } from "node:stream";
import { absoluteAuthority } from "../http/request-guards.js";
import { plainAddress } from "../http/request-target.js";
import { isTlsSocket } from "../http/tls.js";
import type { Backends } from "./backends.js";
import { frontOrigin, requestHeaders, reverseMapper } from "./forward-headers.js";
import { ProxyRelay, type RelayEnds } from "./relay.js";
import type { ProxyForward } from "./routes.js";
import { TunnelRelay, type ClientUpgrade } from "./tunnel.js";

export interface ForwarderSettings {
  /** --server-name: X-Forwarded-Server. */
  readonly serverName: string;
  /** --proxy-timeout, seconds. */
  readonly timeout: number;
  /** --limit-request-body (0: none), for bodies without Content-Length; one with a
   *  larger Content-Length was refused at intake. */
  readonly limitRequestBody: number;
}

export class Forwarder {
  constructor(
    private readonly backends: Backends,
    private readonly settings: ForwarderSettings,
    private readonly ends: RelayEnds,
  ) {}

  /**
   * Forwards `req`; `upgrade` when node handed it over as an upgrade (its socket is
   * then the tunnel's once the back end answers 101). Returns the relay, whose answer()
   * a failed request body calls.
   */
  forward(
    req: IncomingMessage,
    res: ServerResponse,
    route: ProxyForward,
    options: { expectContinue: boolean; upgrade: ClientUpgrade | null },
  ): ProxyRelay {
    const socket = req.socket;
    const secure = isTlsSocket(socket);
    const localPort = socket.localPort ?? 0;
    const host = absoluteAuthority(req.url ?? "") ?? req.headers.host;
    const headers = requestHeaders(req.rawHeaders, {
      backendHost: route.backend.host,
      clientAddress: plainAddress(socket.remoteAddress),
      host,
      serverName: this.settings.serverName,
      localPort,
      secure,
      prefix: route.prefix,
    });
    const name = `proxy ${route.label} -> ${route.backend.url}`;
    const { timeout } = this.settings;
    const { upgrade } = options;
    const relay =
      upgrade === null
        ? new ProxyRelay(res, name, this.mapper(route, host, localPort, secure), timeout, this.ends)
        : new TunnelRelay(res, upgrade, name, timeout, this.ends);
    const body = hasBody(req) ? this.bodyOf(req, relay) : null;
    if (body !== null && options.expectContinue) res.writeContinue();
    this.backends.poolFor(route.backend).dispatch(
      {
        path: route.target,
        method: req.method ?? "GET",
        headers,
        body,
        ...(upgrade === null ? {} : { upgrade: req.headers.upgrade ?? "websocket" }),
      },
      relay,
    );
    return relay;
  }

  /** ProxyPassReverse for this request: the back end's URL to this server's. */
  private mapper(
    route: ProxyForward,
    host: string | undefined,
    localPort: number,
    secure: boolean,
  ): (url: string) => string {
    const front = frontOrigin(host, this.settings.serverName, localPort, secure);
    const { origin, basePath } = route.backend;
    return reverseMapper(origin + basePath, front + (route.prefix ?? ""));
  }

  /**
   * The body as undici reads it: piped through a stage of its own, so that undici
   * destroying it (a back end that failed) never destroys the client's connection
   * before the error page is written. A body cut short by the client ends it with an
   * error; one past --limit-request-body is answered 413.
   */
  private bodyOf(req: IncomingMessage, relay: ProxyRelay): Transform {
    const limit = req.headers["content-length"] === undefined ? this.settings.limitRequestBody : 0;
    let seen = 0;
    const body = new Transform({
      transform(chunk: Buffer, _encoding: BufferEncoding, next: TransformCallback): void {
        seen += chunk.length;
        if (limit > 0 && seen > limit) {
          relay.answer(413);
          next(new Error("request body over --limit-request-body"));
          return;
        }
        next(null, chunk);
      },
    });
    req.pipe(body);
    req.once("close", () => {
      if (!req.complete) body.destroy(new Error("the client's request body was cut short"));
    });
    return body;
  }
}

function hasBody(req: IncomingMessage): boolean {
  const length = req.headers["content-length"];
  if (length !== undefined) return Number(length) > 0;
  return req.headers["transfer-encoding"] !== undefined;
}
