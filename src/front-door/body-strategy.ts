/**
 * The stage that decides how a request body reaches the app: read into memory before
 * dispatch (small bodies), spooled to a file first (large or chunked ones, so a slow
 * upload holds no thread), or streamed as it arrives (100-continue, or no spool room).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { readBody, shouldPrebuffer } from "../buffering/request-body.js";
import { RequestSpooler, SpoolRefusal, type SpooledBody } from "../buffering/request-spool.js";

/** A body known before dispatch; null when it streams (or there is none). */
export type ReadyBody = Buffer | SpooledBody | null;

export class BodyStrategy {
  constructor(
    private readonly spooler: RequestSpooler,
    /** The spool refused the body (413 past --limit-request-body): answer and close. */
    private readonly refuse: (req: IncomingMessage, res: ServerResponse, status: number) => void,
  ) {}

  /** Calls `start` once the body is where the app will read it from. */
  prepare(
    req: IncomingMessage,
    res: ServerResponse,
    expectContinue: boolean,
    start: (body: ReadyBody) => void,
  ): void {
    if (shouldPrebuffer(req, expectContinue)) {
      readBody(req).then(start, () => undefined);
    } else if (this.spooler.wants(req, expectContinue)) {
      this.spooler.spool(req).then(
        (spooled) => {
          // Whether it ran or not, the file goes back once the response is over (or
          // later, once a daemon thread reading it is done: SpooledBody.lend).
          if (res.closed) spooled?.dispose();
          else res.once("close", () => spooled?.dispose());
          start(spooled);
        },
        (error: unknown) => {
          if (error instanceof SpoolRefusal) this.refuse(req, res, error.status);
        },
      );
    } else {
      start(null);
    }
  }
}
