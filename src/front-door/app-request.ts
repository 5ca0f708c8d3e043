/**
 * The last step of every app-bound stage: admission (--max-clients), then the exchange
 * with the backend.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Admission } from "../exchange/admission.js";
import type { Backend } from "../exchange/backend.js";
import { Exchange, type ExchangeContext } from "../exchange/exchange.js";
import { bodyHook } from "../http/listener.js";
import type { ReadyBody } from "./body-strategy.js";
import type { RequestTracer } from "./request-trace.js";

/**
 * What the app-bound stages know of one request. A class, not an object literal: V8
 * pretenured the literal's allocation site (it lives across the site stage's promise),
 * and everything the old-space copies referred to was then promoted too: ~3 KB a
 * request, a mark-compact a second under load, and a tenth of the front end's CPU in
 * the garbage collector (bench/PROFILE.md, "Tenth pass").
 */
export class AppRequest {
  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    readonly id: string,
    /** When it arrived, in seconds since the epoch (mod_wsgi.request_start). */
    readonly start: number,
  ) {}
}

/** How a request goes to the app: its body as the body strategy made it ready. */
export interface AppBound {
  readonly expectContinue: boolean;
  readonly body: ReadyBody;
  readonly context: ExchangeContext;
}

export function admitToBackend(
  admission: Admission,
  backend: Backend,
  { req, res, id, start }: AppRequest,
  environ: Record<string, string>,
  how: AppBound,
  /** Telemetry's view of the request; null when telemetry is off. */
  tracer: RequestTracer | null,
): void {
  admission.admit(res, (leave) => {
    if (res.writableEnded || req.socket.destroyed) return;
    const trace = tracer?.begin(req, res, start, leave) ?? null;
    const exchange = new Exchange(
      req,
      res,
      id,
      environ,
      start,
      how.expectContinue,
      how.context,
      backend,
      trace === null ? leave : trace.leave,
    );
    trace?.attach(exchange);
    const hook = bodyHook(req);
    if (hook) hook.bodyFailed = (status) => exchange.clientBodyFailed(status);
    exchange.run(how.body);
  });
}
