/** The front end's own responses, in the spirit of Apache's default error pages. */
import { STATUS_CODES, type ServerResponse } from "node:http";
import { countBody } from "./access-log.js";

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
      `<body><h1>${reason}</h1></body></html>\n`,
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
