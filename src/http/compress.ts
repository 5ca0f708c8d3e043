/**
 * `--compress-responses`: mod_deflate's `AddOutputFilterByType DEFLATE` for the types
 * mod_wsgi-express lists, for static files and application responses alike.
 */
import type { ServerResponse } from "node:http";
import { constants, createGzip, type Gzip } from "node:zlib";
import { countBody } from "./access-log.js";

const COMPRESSIBLE = new Set([
  "text/plain",
  "text/html",
  "text/xml",
  "text/css",
  "text/javascript",
  "application/xhtml+xml",
  "application/javascript",
  "application/json",
]);

export function compressibleType(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  return COMPRESSIBLE.has((contentType.split(";")[0] ?? "").trim().toLowerCase());
}

/** Whether Accept-Encoding allows gzip (RFC 9110 §12.5.3: `q=0` refuses it). */
export function acceptsGzip(acceptEncoding: string | string[] | undefined): boolean {
  const value = Array.isArray(acceptEncoding) ? acceptEncoding.join(",") : acceptEncoding;
  if (value === undefined) return false;
  let gzip: number | null = null;
  let star: number | null = null;
  for (const part of value.split(",")) {
    const [coding = "", ...params] = part.trim().toLowerCase().split(";");
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
    const q = qParam === undefined ? 1 : Number(qParam.slice(2));
    if (coding.trim() === "gzip" || coding.trim() === "x-gzip") gzip = q;
    else if (coding.trim() === "*") star = q;
  }
  const q = gzip ?? star ?? 0;
  return Number.isFinite(q) && q > 0;
}

/** mod_deflate's DeflateAlterETag AddSuffix: the gzip variant gets its own validator. */
export function gzipETag(etag: string): string {
  return etag.endsWith('"') ? `${etag.slice(0, -1)}-gzip"` : etag;
}

/**
 * Rewrites an application's response head for gzip (`gzip` false: the client refuses it,
 * only Vary is added), or returns null when the response is not compressible.
 * `headers` is node's flat [name, value, ...] list.
 */
export function gzipHead(
  statusCode: number,
  headers: readonly string[],
  acceptEncoding: string | string[] | undefined,
): { headers: string[]; gzip: boolean } | null {
  if (statusCode === 204 || statusCode === 304 || statusCode === 206) return null;
  let type: string | undefined;
  for (let i = 0; i + 1 < headers.length; i += 2) {
    const name = (headers[i] as string).toLowerCase();
    if (name === "content-encoding") return null;
    if (name === "content-type") type = headers[i + 1];
  }
  if (!compressibleType(type)) return null;
  const gzip = acceptsGzip(acceptEncoding);
  const out: string[] = [];
  let vary = false;
  for (let i = 0; i + 1 < headers.length; i += 2) {
    const name = headers[i] as string;
    let value = headers[i + 1] as string;
    const lower = name.toLowerCase();
    if (lower === "vary") {
      vary = true;
      if (!/(^|,)\s*(accept-encoding|\*)\s*(,|$)/i.test(value)) value += ", Accept-Encoding";
    }
    if (gzip) {
      if (lower === "content-length") continue;
      if (lower === "etag") value = gzipETag(value);
    }
    out.push(name, value);
  }
  if (!vary) out.push("Vary", "Accept-Encoding");
  if (gzip) out.push("Content-Encoding", "gzip");
  return { headers: out, gzip };
}

/** A gzip stream feeding `res`. Each write is followed by a sync flush, so a streamed
 *  response still streams (mod_deflate flushes when mod_wsgi flushes each block). The
 *  access log counts the compressed bytes. */
export function gzipTo(res: ServerResponse): Gzip {
  const gzip = createGzip({ flush: constants.Z_SYNC_FLUSH });
  // A HEAD response's body is dropped by node, so it counts nothing.
  if (res.req.method !== "HEAD") {
    gzip.on("data", (chunk: Buffer) => {
      countBody(res, chunk.length);
    });
  }
  gzip.pipe(res);
  return gzip;
}
