/**
 * One bounded keep-alive pool of connections per back end, as mod_proxy keeps one per
 * worker. undici (the HTTP client node's own fetch is built on) does the client side:
 * connection reuse, request bodies written with back-pressure, response bodies paused
 * and resumed, the head and body timeouts, and the 101 hand-over of an upgraded socket.
 */
import { createRequire } from "node:module";
import type { Pool } from "undici";
import type { ProxyBackend } from "../config/resolve-proxy-routes.js";

type Undici = typeof import("undici");

/** undici, loaded by a server that proxies only: loading it costs a front end that does
 *  not about 20 MB of memory and 100-200 ms of start-up. */
let undici: Undici | null = null;

function loadUndici(): Undici {
  undici ??= createRequire(import.meta.url)("undici") as Undici;
  return undici;
}

export interface BackendLimits {
  /** Most connections open to one back end; more requests wait for one (--max-clients:
   *  no more requests than that are in progress at once anyway). */
  readonly connections: number;
  /** --proxy-timeout, seconds; 0: none. */
  readonly timeout: number;
}

/** Seconds to wait for a TCP connection before answering 502 (undici's default). */
const CONNECT_TIMEOUT = 10;

export class Backends {
  private readonly pools = new Map<string, Pool>();

  /** `routed`: there is a back end to reach, so undici is loaded now rather than on the
   *  first proxied request. */
  constructor(
    private readonly limits: BackendLimits,
    routed: boolean,
  ) {
    if (routed) loadUndici();
  }

  /** The pool of `backend`, made on first use. */
  poolFor(backend: ProxyBackend): Pool {
    const key = `${backend.socketPath ?? ""}|${backend.origin}`;
    let pool = this.pools.get(key);
    if (pool === undefined) {
      const ms = this.limits.timeout * 1000;
      const connectMs = ms === 0 ? CONNECT_TIMEOUT * 1000 : Math.min(ms, CONNECT_TIMEOUT * 1000);
      pool = new (loadUndici().Pool)(backend.origin, {
        connections: this.limits.connections,
        // No pipelining: a slow response must not hold up the ones queued behind it.
        pipelining: 1,
        headersTimeout: ms,
        bodyTimeout: ms,
        connect: { timeout: connectMs },
        ...(backend.socketPath === null ? {} : { socketPath: backend.socketPath }),
      });
      this.pools.set(key, pool);
    }
    return pool;
  }

  /** Lets every pool finish its requests in flight, then close its connections; a
   *  request after this gets a new pool. */
  async close(): Promise<void> {
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(pools.map((pool) => pool.close()));
  }
}
