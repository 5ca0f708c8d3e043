/**
 * --server-status: the front end answers /server-status itself, before the app, as
 * mod_wsgi-express's generated configuration maps it to Apache's mod_status (reference
 * option 90) - and, as there, only to clients on this host ("Require ip 127.0.0.1 ::1"
 * in its httpd.conf); anyone else gets 403. `?auto` is mod_status's machine-readable
 * form. The figures are read when the page is asked for; the request path only bumps
 * the two counters of http/traffic.ts.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { PoolStatus } from "../daemon/pool.js";
import { countBody } from "../http/access-log.js";
import { traffic } from "../http/traffic.js";
import type { PromMetrics } from "../telemetry/prometheus.js";
import { autoText, htmlPage, statusFigures, type StatusFigures } from "./status-page.js";

export const STATUS_PATH = "/server-status";

/** The whole server's figures, when more than this process serves (embedded mode's
 *  workers: embedded/status-gather.ts). */
export interface StatusSnapshot {
  readonly pool: PoolStatus;
  readonly accesses: number;
  readonly bodyBytes: number;
  readonly uptimeSeconds: number;
}

/** What the page reads: the pool, and where other processes serve too, the function
 *  that gathers the whole server's figures (else this process's are the server's). */
export interface StatusSource {
  status(): PoolStatus;
  readonly wholeServerStatus?: (() => Promise<StatusSnapshot>) | null;
}

/** The peer addresses allowed: IPv4 and IPv6 loopback (a dual-stack listener reports
 *  an IPv4 client as ::ffff:127.0.0.1). */
const LOCAL = new Set(["127.0.0.1", "::1", "::ffff:127.0.0.1"]);

/** Apache's mod_status takes `auto` among the &-separated query words. */
export function wantsAuto(url: string): boolean {
  const query = url.indexOf("?");
  if (query === -1) return false;
  return url
    .slice(query + 1)
    .split("&")
    .some((word) => word.toLowerCase() === "auto");
}

/** The value of `name=value` among the query's &-separated words; null when absent. */
export function queryValue(url: string, name: string): string | null {
  const query = url.indexOf("?");
  if (query === -1) return null;
  for (const word of url.slice(query + 1).split("&")) {
    const [key, value] = word.split("=", 2);
    if (key === name) return value ?? "";
  }
  return null;
}

export class ServerStatus {
  private readonly startedAt: number;

  constructor(
    private readonly pool: StatusSource,
    /** ?format=prometheus: telemetry's figures (src/telemetry/prometheus.ts). */
    private readonly metrics: PromMetrics | null = null,
    /** Monotonic milliseconds (performance.now), passed in for tests. */
    private readonly now: () => number = () => performance.now(),
  ) {
    this.startedAt = now();
  }

  /** True when `req` was for the status page, now answered. */
  answer(req: IncomingMessage, res: ServerResponse): boolean {
    const url = req.url ?? "";
    const path = url.split("?", 1)[0];
    if (path !== STATUS_PATH) return false;
    if (!LOCAL.has(req.socket.remoteAddress ?? "")) {
      send(req, res, 403, "text/plain; charset=utf-8", "forbidden: localhost only\n");
      return true;
    }
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.setHeader("Allow", "GET, HEAD");
      send(req, res, 405, "text/plain; charset=utf-8", "method not allowed\n");
      return true;
    }
    if (this.metrics !== null && queryValue(url, "format") === "prometheus") {
      this.metrics.exposition().then(
        ({ text, type }) => {
          send(req, res, 200, type, text);
        },
        () => {
          send(req, res, 500, "text/plain; charset=utf-8", "metrics failed\n");
        },
      );
      return true;
    }
    const whole = this.pool.wholeServerStatus;
    if (whole) {
      whole().then(
        (snapshot) => {
          page(req, res, statusFigures(snapshot.pool, snapshot, snapshot.uptimeSeconds));
        },
        () => {
          send(req, res, 503, "text/plain; charset=utf-8", "status unavailable\n");
        },
      );
      return true;
    }
    const uptime = Math.floor((this.now() - this.startedAt) / 1000);
    page(req, res, statusFigures(this.pool.status(), traffic, uptime));
    return true;
  }
}

/** The HTML page, or `?auto`'s text. */
function page(req: IncomingMessage, res: ServerResponse, figures: StatusFigures): void {
  if (wantsAuto(req.url ?? "")) {
    send(req, res, 200, "text/plain; charset=utf-8", autoText(figures));
  } else {
    send(req, res, 200, "text/html; charset=utf-8", htmlPage(figures, "wsgi-express"));
  }
}

function send(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  type: string,
  text: string,
): void {
  const body = Buffer.from(text);
  res.writeHead(status, {
    "Content-Type": type,
    "Content-Length": body.length,
    "Cache-Control": "no-store",
  });
  if (req.method === "HEAD") {
    res.end();
    return;
  }
  res.end(body);
  countBody(res, body.length);
}
