/**
 * The first stage: requests refused before the site or the app sees them, for their
 * framing, target and header limits (http/intake.ts) or for a body the server will not
 * take.
 */
import type { IncomingMessage } from "node:http";
import type { HttpConfig } from "../config/server-config.js";
import { intake } from "../http/intake.js";

/** The status to refuse the request with, or null to go on. `proxy` tells, once the
 *  target is normalised, whether the reverse proxy takes the request. */
export function intakeRefusal(
  req: IncomingMessage,
  http: HttpConfig,
  proxy: { claims(req: IncomingMessage): boolean } | null = null,
): number | null {
  return intake(req, http) ?? bodyRefusal(req, http, proxy);
}

function bodyRefusal(
  req: IncomingMessage,
  http: HttpConfig,
  proxy: { claims(req: IncomingMessage): boolean } | null,
): number | null {
  const chunked = req.headers["transfer-encoding"] !== undefined;
  // mod_wsgi refuses chunked request bodies unless --chunked-request (411 Length
  // Required); mod_proxy passes them on.
  if (chunked && !http.chunkedRequest && proxy?.claims(req) !== true) return 411;
  const limit = http.limitRequestBody;
  const length = req.headers["content-length"];
  if (limit > 0 && length !== undefined && Number(length) > limit) return 413;
  return null;
}
