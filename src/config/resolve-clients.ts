/** Slow and greedy clients: read timeouts (mod_reqtimeout), the cap on requests in
 *  progress (--max-clients), the cap on open connections, response buffering. */
import { daemonDescriptors, descriptorReserve } from "./capacity.js";
import type { OptionReader } from "./option-reader.js";
import type { ClientConfig } from "./server-config.js";

/** What `--response-buffer-size 0` means (mod_wsgi 6.0.2+). */
const RESPONSE_BUFFER_DEFAULT = 8 * 1024 * 1024;
const CONNECTIONS_WITHOUT_LIMIT = 10_000;

export function resolveClients(options: OptionReader, openFileLimit: number | null): ClientConfig {
  const processes = options.optionalNumber("processes") ?? 1;
  const threads = options.number("threads");
  return {
    header: {
      timeout: options.number("header-timeout"),
      max: options.number("header-max-timeout"),
      minRate: options.number("header-min-rate"),
    },
    body: {
      timeout: options.number("body-timeout"),
      max: options.number("body-max-timeout"),
      minRate: options.number("body-min-rate"),
    },
    maxClients: maxClients(options.optionalNumber("max-clients"), processes * threads),
    // The daemons' descriptors come out of the same limit (capacity.ts).
    maxConnections: connectionCap(
      openFileLimit === null ? null : openFileLimit - daemonDescriptors(processes, threads),
    ),
    responseSocketTimeout:
      options.number("response-socket-timeout") || options.number("socket-timeout"),
    responseBufferSize: options.number("response-buffer-size") || RESPONSE_BUFFER_DEFAULT,
    responseMemorySize: options.number("response-memory-size"),
    responseFlushDelay: options.number("response-flush-delay"),
  };
}

/** mod_wsgi-express's sizing: 10 + max(10, 1.5 x processes x threads); a given value is
 *  raised to at least processes x threads. */
export function maxClients(given: number | null, capacity: number): number {
  if (given !== null) return Math.max(given, capacity);
  return 10 + Math.max(10, Math.floor(1.5 * capacity));
}

/** Open connections allowed: most of the descriptor limit, so that accept() does not hit
 *  EMFILE while idle connections pile up. Past EMFILE libuv closes new connections
 *  without telling node, so the cap (which logs) must come first even under a low limit:
 *  the reserve shrinks to half of a small limit rather than the cap growing past it. */
export function connectionCap(openFileLimit: number | null): number {
  if (openFileLimit === null) return CONNECTIONS_WITHOUT_LIMIT;
  return Math.max(1, Math.floor(openFileLimit * 0.9) - descriptorReserve(openFileLimit));
}
