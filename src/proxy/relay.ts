/**
 * One proxied request's response, relayed to the client as undici hands it over: the
 * head rewritten (forward-headers.ts), each body piece written on, and the back end's
 * socket paused while the client is behind (undici's DispatchController), so that a
 * slow client holds its own connection and no more than a socket buffer of the body.
 *
 * Failures, each logged once with the mount point and the back end:
 * - no response head within --proxy-timeout: 504 (Apache: ProxyTimeout, 504);
 * - no connection (refused, no such socket, unreachable): 502 at once;
 * - the back end gone or silent past --proxy-timeout mid-body: the response is cut, as
 *   for the app (no final chunk, short of Content-Length, or RST_STREAM over HTTP/2).
 */
import type { ServerResponse } from "node:http";
import type { Dispatcher } from "undici";
import { cutResponse } from "../exchange/response-relay.js";
import { countBody, recordHeaders } from "../http/access-log.js";
import { responseHeaders } from "./forward-headers.js";

/** What a relay reports to, and answers with. */
export interface RelayEnds {
  /** Answers `status` with the server's error page, before the response started. */
  readonly sendError: (res: ServerResponse, status: number) => void;
  /** One error-log line. */
  readonly log: (message: string) => void;
}

/** Why the client is no longer waiting: undici is told, and nothing more is logged. */
class ClientGone extends Error {
  override name = "ClientGone";
}

export class ProxyRelay implements Dispatcher.DispatchHandler {
  private controller: Dispatcher.DispatchController | null = null;
  /** The client side is over: answered here, gone, or handed to a tunnel. */
  protected done = false;

  constructor(
    private readonly res: ServerResponse,
    /** `proxy /api -> http://...`: names the route in log lines. */
    private readonly route: string,
    private readonly mapUrl: (url: string) => string,
    /** --proxy-timeout, for the 504's log line. */
    private readonly timeout: number,
    private readonly ends: RelayEnds,
  ) {
    res.once("close", () => {
      if (!res.writableFinished) this.stop();
    });
  }

  /** Answers `status` now (a body read timeout, a body past the limit) and drops the
   *  back end's request; false when the response had started. */
  answer(status: number): boolean {
    if (this.done || this.res.headersSent) return false;
    this.ends.sendError(this.res, status);
    this.stop();
    return true;
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.done) controller.abort(new ClientGone());
  }

  onResponseStart(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    _headers: unknown,
    statusMessage?: string,
  ): void {
    // 1xx (103 Early Hints...) are not relayed; undici goes on to the final response.
    if (statusCode < 200 || this.done) return;
    const raw = (controller.rawHeaders ?? []) as readonly (Buffer | string)[];
    const headers = responseHeaders(raw, this.mapUrl);
    if (statusMessage) this.res.writeHead(statusCode, statusMessage, headers);
    else this.res.writeHead(statusCode, headers);
    recordHeaders(this.res, headers);
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.done) return;
    countBody(this.res, chunk.length);
    if (this.res.write(chunk)) return;
    controller.pause();
    this.res.once("drain", () => {
      controller.resume();
    });
  }

  onResponseEnd(): void {
    if (this.done) return;
    this.done = true;
    this.res.end();
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    if (this.done) return;
    this.done = true;
    if (!this.res.headersSent) {
      const status = failureStatus(error);
      this.ends.log(`${this.route}: ${describe(error, this.timeout)}; answered ${status}`);
      this.ends.sendError(this.res, status);
      return;
    }
    this.ends.log(`${this.route}: ${describe(error, this.timeout)} mid-response; cut off`);
    cutResponse(this.res);
  }

  private stop(): void {
    if (this.done) return;
    this.done = true;
    this.controller?.abort(new ClientGone());
  }
}

type Coded = Error & { code?: string };

/** 504 for a back end that took too long to answer; 502 for one that could not be
 *  reached or answered nothing usable. */
export function failureStatus(error: Coded): number {
  return error.code === "UND_ERR_HEADERS_TIMEOUT" ? 504 : 502;
}

function describe(error: Coded, timeout: number): string {
  switch (error.code) {
    case "UND_ERR_HEADERS_TIMEOUT":
      return `no response within --proxy-timeout (${timeout} s)`;
    case "UND_ERR_BODY_TIMEOUT":
      return `silent for --proxy-timeout (${timeout} s)`;
    case "UND_ERR_CONNECT_TIMEOUT":
      return "cannot connect (timed out)";
    case "ECONNREFUSED":
    case "ENOENT":
    case "EACCES":
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return `cannot connect (${error.code})`;
    default:
      return `back end failed (${error.code ?? error.message})`;
  }
}
