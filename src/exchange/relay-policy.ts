/**
 * How the front end relays every response to its client: limits, buffering and the
 * rewrites it applies. One frozen object for the server (front-door/exchange-context.ts);
 * the memory count and the spool it names are shared by all responses.
 */
import type { ResponseMemory } from "../buffering/response-memory.js";
import type { ResponseSpoolSettings } from "../buffering/response-spool.js";

export interface RelayPolicy {
  readonly keepAlive: boolean;
  /** --header-buffer-size: the longest response header line accepted from a daemon. */
  readonly headerBufferSize: number;
  /** --response-buffer-size: bytes queued for the client before the daemon must wait
   *  (0: wait as soon as the client's stream is full). */
  readonly responseBufferSize: number;
  /** --response-memory-size: response bytes queued for clients across all responses,
   *  past which a client that is behind is treated as past --response-buffer-size.
   *  Gzipped, what is counted is what waits for zlib: pipe() holds zlib's output back
   *  while the client is behind, so that is where the bytes pile up. */
  readonly responseMemory: ResponseMemory | null;
  /** Where a response goes on once --response-buffer-size bytes wait for a slow client
   *  (response-spool.ts); null: the daemon waits for the client. */
  readonly responseSpool: ResponseSpoolSettings | null;
  /** --error-override: an app status >= 400 gets the server's error page instead. */
  readonly errorOverride: boolean;
  /** --response-flush-delay in ms: how long small pieces of a streamed response wait
   *  for more before they go to the client (flush-delay.ts); 0: at once. */
  readonly flushDelayMs: number;
  /** --compress-responses (http/compress.ts). */
  readonly compressResponses: boolean;
}
