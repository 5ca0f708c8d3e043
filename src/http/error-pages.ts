/** The front end's own responses, in the spirit of Apache's default error pages. */
import { STATUS_CODES, type ServerResponse } from "node:http";
import { countBody } from "./access-log.js";
import { expectationFailedText } from "./expectation.js";

export interface ErrorPageOptions {
  readonly close?: boolean;
  readonly headers?: Record<string, string>;
}

/** Answers with an error page: the built-in one, or --error-document's. */
export type ErrorSender = (res: ServerResponse, status: number, options?: ErrorPageOptions) => void;

export const sendError: ErrorSender = (res, status, options = {}) => {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const reason = STATUS_CODES[status] ?? "Error";
  const body = Buffer.from(
    `<!DOCTYPE html>\n<html><head><title>${status} ${reason}</title></head>` +
      `<body><h1>${reason}</h1>${detail(res, status)}</body></html>\n`,
  );
  const headers: Record<string, string | number> = {
    "Content-Type": "text/html; charset=iso-8859-1",
    "Content-Length": body.length,
    ...options.headers,
  };
  if (options.close) headers.Connection = "close";
  res.writeHead(status, reason, headers);
  res.end(body);
  countBody(res, body.length);
};

/** The paragraph Apache's page adds for some statuses. */
function detail(res: ServerResponse, status: number): string {
  // The request is there for any response node:http made for it.
  if (status === 417) return "\n" + expectationFailedText(res.req.headers.expect);
  return "";
}
