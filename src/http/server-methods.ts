/**
 * Requests the server answers itself whatever the application, as Apache does before any
 * handler (issue #23 item 8): `OPTIONS *` (ap_send_http_options: 200, Allow, no body)
 * and TRACE (core's TraceEnable: 405 unless --trace-enable, then the request echoed as
 * message/http, RFC 9110 §9.3.8). CONNECT never reaches here: node hands it to the
 * server's 'connect' event (connections.ts answers 405 with the same Allow).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { countBody } from "./access-log.js";
import type { ErrorSender } from "./error-pages.js";

/** The methods the server itself vouches for; an application may take others. */
export function allowed(traceEnable: boolean): string {
  return traceEnable ? "GET,HEAD,POST,OPTIONS,TRACE" : "GET,HEAD,POST,OPTIONS";
}

/** True when the request was answered here. */
export function answerServerMethods(
  req: IncomingMessage,
  res: ServerResponse,
  traceEnable: boolean,
  sendError: ErrorSender,
): boolean {
  if (req.method === "OPTIONS" && req.url === "*") {
    res.writeHead(200, { Allow: allowed(traceEnable), "Content-Length": "0" });
    res.end();
    return true;
  }
  if (req.method !== "TRACE") return false;
  if (!traceEnable) {
    sendError(res, 405, { headers: { Allow: allowed(false) } });
    return true;
  }
  // Apache refuses a TRACE with a body (TraceEnable On, not extended): 413.
  const length = Number(req.headers["content-length"] ?? 0);
  if (req.headers["transfer-encoding"] !== undefined || length > 0) {
    sendError(res, 413, { close: true });
    return true;
  }
  const body = Buffer.from(traceEcho(req), "latin1");
  res.writeHead(200, { "Content-Type": "message/http", "Content-Length": body.length });
  res.end(body);
  countBody(res, body.length);
  return true;
}

/** The request head as received: request line and fields, in order. */
export function traceEcho(req: {
  method?: string | undefined;
  url?: string | undefined;
  httpVersion: string;
  rawHeaders: readonly string[];
}): string {
  let head = `${req.method ?? "TRACE"} ${req.url ?? "/"} HTTP/${req.httpVersion}\r\n`;
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    head += `${req.rawHeaders[i] ?? ""}: ${req.rawHeaders[i + 1] ?? ""}\r\n`;
  }
  return head + "\r\n";
}
