/**
 * The line between the HTTP side of a request and the backend that runs the application
 * (the daemon processes today; Python embedded in the front end's own processes later).
 * The HTTP side opens a session per request and hears back through typed callbacks; it
 * never sees a protocol frame, and a backend never sees an HTTP object.
 */
import type { HeldPiece } from "../buffering/response-spool.js";
import type { SpooledBody } from "../buffering/request-spool.js";
import type { Environ } from "./environ.js";

/** The application's status line and headers as it gave them, not yet checked. */
export interface AppResponseHead {
  readonly status: string;
  readonly headers: readonly (readonly [string, string])[];
}

/** Why the app failed a request, for the log; `logged`: the backend has logged it
 *  already (an application's traceback, which names the request). */
export interface AppFailure {
  readonly message: string;
  readonly logged: boolean;
}

/** One request, as a backend needs it; the HTTP side's exchange provides it. */
export interface SessionRequest {
  readonly id: string;
  readonly environ: Environ;
  /** When it arrived, in seconds since the epoch (mod_wsgi.request_start). */
  readonly requestStart: number;
  /** The app decides whether the body is sent at all (Expect: 100-continue). */
  readonly expectContinue: boolean;
  /** Its body is known in full before dispatch (none, or read ahead): wholeBody will
   *  not return null. */
  readonly bodyKnownAtDispatch: boolean;
  /** All of the body has gone to the backend, or it was ended early. */
  readonly bodySent: boolean;
  /** The whole body, taken to be sent with the head (empty: there is none); null when
   *  it must be streamed. */
  wholeBody(): Buffer | null;
  /** Starts streaming the body into the session's BodySink. */
  streamBody(): void;
  /** Ends the body as broken: the client left while the app was reading it. */
  abortBody(): void;
}

/** What the HTTP side hears from the backend about its request. */
export interface SessionEvents {
  /** The response head (at most once). */
  responseHead(head: AppResponseHead): void;
  /** The backend sent a head that cannot be read (`why` for the log). */
  invalidResponseHead(why: string): void;
  /** A piece of the response body; valid only during the call unless kept with
   *  BackendSession.hold. */
  responseBody(piece: Buffer): void;
  /** The response is complete, or the app failed. */
  responseEnd(error: AppFailure | null): void;
  /** The backend is done with the request: its thread is free for another. */
  done(): void;
  /** The app asked for the body of an Expect: 100-continue request. */
  bodyWanted(): void;
  /** The backend can take more of the body after sendBody returned false. */
  bodyDrained(): void;
  /** The backend failed under the request (`reason` for the log), before its end or
   *  (`afterEnd`) after it: either way it no longer reads the request's body. */
  lost(reason: string, afterEnd: boolean): void;
  /** Never ran: no thread took it within --queue-timeout (504), or no daemon was ready
   *  within --connect-timeout (503). Logged by the backend. */
  expired(status: 503 | 504): void;
  /** Ran past its deadline: the client gets 504 (or a cut response); the backend has
   *  logged it and interrupts the app itself. */
  timedOut(): void;
  /** The request could not be sent (`reason` for the log): the client gets 500. */
  unsendable(reason: string): void;
}

/** Where the body goes: in pieces, or (when the backend can read the file itself) as
 *  the spool file; always ended exactly once. */
export interface BodySink {
  /** The backend reads a spooled body from its file itself. */
  readonly readsBodyFiles: boolean;
  /** False when the backend's buffer is full: wait for SessionEvents.bodyDrained. */
  sendBody(chunk: Buffer): boolean;
  sendBodyFile(body: SpooledBody): void;
  endBody(aborted: boolean): void;
}

/** One request's session with a backend, as the HTTP side drives it. */
export interface BackendSession {
  /** Queues the request for the backend. */
  dispatch(): void;
  /** The body's way in, while the request is on the backend; null before and after. */
  readonly body: BodySink | null;
  /** Makes a response piece outlive the call that delivered it. */
  hold(piece: Buffer): HeldPiece;
  /** Stops the response's flow while the client is slow; returns how to let it go on. */
  pause(): () => void;
  /** The client is slow: silence from the app is not counted against it meanwhile. */
  waitingForClient: boolean;
  /** The client went away, or the front end answered for the app: the backend drops
   *  (or never starts) the request, and any further output of it. */
  cancel(clientGone: boolean): void;
  /** Where and when the request ran: read by telemetry once it is over, never on the
   *  request path. */
  readonly timing: SessionTiming;
}

/** A request's phases as the backend saw them (monotonic times: ms, performance.now). */
export interface SessionTiming {
  /** When it was queued, in seconds since the epoch (mod_wsgi.queue_start). */
  readonly queueStart: number;
  readonly queuedAt: number;
  /** When a thread took it; null when none did. */
  readonly startedAt: number | null;
  /** The process and thread that ran it; null when none did. */
  readonly pid: number | null;
  readonly thread: number | null;
}

/** Opens sessions: one backend serves every request of a server. */
export interface Backend {
  open(request: SessionRequest, events: SessionEvents): BackendSession;
}
