/** Small request bodies are read in full by the front end before dispatch, so a slow
 *  uploader holds a few kilobytes of memory rather than a Python thread. */
import type { IncomingMessage } from "node:http";

/** Bodies up to this size (by Content-Length) are buffered before dispatch. */
export const PREBUFFER_LIMIT = 64 * 1024;

export function shouldPrebuffer(req: IncomingMessage, expectContinue: boolean): boolean {
  if (expectContinue || req.headers["transfer-encoding"] !== undefined) return false;
  const length = Number(req.headers["content-length"] ?? 0);
  return length > 0 && length <= PREBUFFER_LIMIT;
}

/** The whole body; rejects if the client goes away before its end. */
export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.once("end", () => {
      // Most such bodies arrive in one read: that chunk is the body, not a copy of it.
      resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks));
    });
    req.once("close", () => {
      if (!req.complete) reject(new Error("client went away during the body"));
    });
  });
}
