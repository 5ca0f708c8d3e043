/**
 * The front end's intake of one parsed request, before any routing: the checks of
 * request-guards.ts (with the request-line and header-field limits), then the request
 * target sorted and normalised (request-path.ts). On success `req.url` is the target to
 * route by; the target as sent stays available to REQUEST_URI and the access log.
 */
import type { IncomingMessage } from "node:http";
import { unmetExpectation } from "./expectation.js";
import { checkRequest, type HeaderLimits } from "./request-guards.js";
import { classifyTarget } from "./request-path.js";
import { splitTarget } from "./request-target.js";
import { FrontEndH2Request } from "./h2-compat.js";

const sentTargets = new WeakMap<IncomingMessage, string>();

/** The status that refuses `req` (the connection then closes), or null: it goes on, its
 *  url normalised. */
export function intake(req: IncomingMessage, limits: HeaderLimits): number | null {
  const http2 = (req as object) instanceof FrontEndH2Request;
  // RFC 9113 §8.3.1: a Host naming another authority than :authority is malformed.
  if (http2 && (req as unknown as FrontEndH2Request).conflictingHost) return 400;
  const refusal = checkRequest(req, limits, http2);
  if (refusal !== null) return refusal;
  if (unmetExpectation(req.headers)) return 417;
  const sent = req.url ?? "/";
  const verdict = classifyTarget(req.method ?? "GET", sent);
  if (verdict.kind === "refuse") return verdict.status;
  // Apache's REQUEST_URI is the target of the request line (original_uri()), not the
  // normalised path; we drop its #fragment (docs/http-compatibility.md).
  const hash = sent.indexOf("#");
  sentTargets.set(req, hash === -1 ? sent : sent.slice(0, hash));
  req.url = verdict.url;
  return null;
}

/** REQUEST_URI: the target as the client sent it (absolute-form kept, no #fragment). */
export function requestUri(req: IncomingMessage): string {
  return sentTargets.get(req) ?? splitTarget(req.url ?? "/").uri;
}
