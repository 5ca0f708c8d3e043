/**
 * One HTTP request's trip through the backend, seen from the HTTP side: a session is
 * opened for it, its body streamed in while the response streams out (both at once,
 * each with back-pressure: body-forwarder.ts and response-relay.ts). The backend speaks
 * through typed callbacks (backend.ts); every way the request can end is handled once.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { SpooledBody } from "../buffering/request-spool.js";
import { sendError, type ErrorSender } from "../http/error-pages.js";
import type {
  AppFailure,
  AppResponseHead,
  Backend,
  BackendSession,
  SessionEvents,
  SessionRequest,
  SessionTiming,
} from "./backend.js";
import { BodyForwarder, type BodyOwner } from "./body-forwarder.js";
import type { Environ } from "./environ.js";
import {
  cutResponse,
  ResponseRelay,
  type RelayContext,
  type RelayOwner,
} from "./response-relay.js";

/** What an exchange needs from the server around it. */
export interface ExchangeContext extends RelayContext {
  /** 0: unlimited. */
  readonly limitRequestBody: number;
  /** The front end's error pages, with --error-document applied (default: sendError). */
  readonly sendError?: ErrorSender;
}

export class Exchange implements SessionRequest, SessionEvents, RelayOwner, BodyOwner {
  private readonly body: BodyForwarder;
  private readonly relay: ResponseRelay;
  private readonly session: BackendSession;
  /** Whose response the client gets: the backend's as it comes (relaying), the front
   *  end's own answer (answered), or nobody's (client gone). Only ever moves right. */
  private fate: "relaying" | "answered" | "client gone" = "relaying";

  constructor(
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
    readonly id: string,
    readonly environ: Environ,
    readonly requestStart: number,
    readonly expectContinue: boolean,
    private readonly context: ExchangeContext,
    backend: Backend,
    /** Called once the backend is done with the request: what is left is the client's
     *  to read (--max-clients stops counting it: admission.ts). */
    private readonly backendDone: () => void = () => undefined,
  ) {
    this.relay = new ResponseRelay(req, res, context, this);
    this.body = new BodyForwarder(req, context.limitRequestBody, this);
    this.session = backend.open(this, this);
    res.on("close", () => {
      this.relay.closed();
      this.onClientClose();
    });
  }

  /** Where and when the backend ran it (telemetry). */
  get timing(): SessionTiming {
    return this.session.timing;
  }

  /** Hands the request to the backend, with a body read before dispatch if any. */
  run(body: Buffer | SpooledBody | null): void {
    if (body) this.body.preload(body);
    this.session.dispatch();
  }

  /** The backend's output still goes to the client. */
  private get relaying(): boolean {
    return this.fate === "relaying";
  }

  // SessionRequest: the request and its body, as the backend asks for them.

  get bodyKnownAtDispatch(): boolean {
    return this.body.knownAtDispatch(this.skipsBody);
  }

  get bodySent(): boolean {
    return this.body.sent;
  }

  wholeBody(): Buffer | null {
    return this.body.whole(this.skipsBody);
  }

  streamBody(): void {
    this.body.start();
  }

  abortBody(): void {
    this.body.end(true);
  }

  /** An --error-document request: the app gets no body at all. */
  private get skipsBody(): boolean {
    return this.context.errorPageFor !== undefined;
  }

  // BodyOwner and RelayOwner: what the body and the response need of the session.

  get sink(): BackendSession["body"] {
    return this.session.body;
  }

  pauseBackend(): () => void {
    return this.session.pause();
  }

  hold(piece: Buffer): ReturnType<BackendSession["hold"]> {
    return this.session.hold(piece);
  }

  /** The client's body broke (400) or came too slowly (408, --body-timeout): the app's
   *  reads fail, the client gets the status (or a cut response) and the connection
   *  closes. False when the response had already started. */
  clientBodyFailed(status: number): boolean {
    const unanswered = this.relaying && !this.relay.headSent && !this.res.headersSent;
    this.context.logError(
      `request ${this.environ.REQUEST_URI ?? ""}: request body failed (${status})`,
    );
    this.res.shouldKeepAlive = false;
    this.body.end(true);
    this.answer(status);
    return unanswered;
  }

  // SessionEvents: what the backend says.

  responseHead(head: AppResponseHead): void {
    if (this.relaying) this.relay.head(head);
  }

  invalidResponseHead(why: string): void {
    if (this.relaying) this.relay.badHead(why);
  }

  responseBody(piece: Buffer): void {
    if (this.relaying && this.relay.headSent) this.relay.body(piece);
  }

  bodyWanted(): void {
    if (this.body.waiting && this.relaying) {
      this.res.writeContinue();
      this.body.start();
    }
  }

  bodyDrained(): void {
    this.body.resume();
  }

  expired(status: 503 | 504): void {
    this.answer(status);
  }

  timedOut(): void {
    this.answer(504);
    this.body.end(true);
  }

  unsendable(reason: string): void {
    this.context.logError(reason);
    this.body.abandon();
    this.answer(500);
  }

  responseEnd(error: AppFailure | null): void {
    this.body.end(false);
    // The backend has left the request: a spool file it was reading can be used again.
    this.body.finish(true);
    // After the client left, the app's "client went away" is expected, not an error.
    if (error !== null && !error.logged && this.fate !== "client gone")
      this.context.logError(error.message);
    this.relay.flush();
    if (this.relaying) {
      if (error !== null || !this.relay.headSent) this.answer(500);
      else this.relay.finish();
    }
  }

  done(): void {
    this.backendDone();
  }

  lost(reason: string, afterEnd: boolean): void {
    // A lost connection does not stop a thread reading: its file is never reused.
    this.body.finish(false);
    if (afterEnd) return;
    this.body.abandon();
    this.context.logError(reason);
    // 502 when the daemon died before the response started (mod_wsgi 6 does the same);
    // afterwards the response is cut so the client can tell it is incomplete.
    this.answer(502);
    this.backendDone();
  }

  private onClientClose(): void {
    if (this.res.writableFinished) return;
    this.fate = "client gone";
    this.session.cancel(true);
  }

  /** The front end's own answer (or a cut, once the head went out). Later output of the
   *  backend for this request is dropped. */
  answer(status: number): void {
    if (!this.relaying) return;
    this.fate = "answered";
    this.session.cancel(false);
    if (this.relay.headSent || this.res.headersSent) {
      this.relay.stop();
      cutResponse(this.res);
      return;
    }
    // An error page's own failure gets the built-in page: no second internal request.
    const send =
      this.context.errorPageFor === undefined ? (this.context.sendError ?? sendError) : sendError;
    send(this.res, status, { close: status === 413 || !this.context.policy.keepAlive });
  }
}
