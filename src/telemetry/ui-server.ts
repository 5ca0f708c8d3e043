/**
 * --enable-telemetry's own small HTTP server on 127.0.0.1:--telemetry-ui-port: the
 * dashboard page, its script, uPlot (read from the uplot package this one depends on,
 * so it ships with it and works offline), /samples (JSON, `?since=` the last sample's
 * time) and /metrics (Prometheus text). Nothing here touches the request path.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { DASHBOARD_SCRIPT } from "./dashboard-script.js";
import { dashboardPage } from "./dashboard-page.js";
import type { Telemetry } from "./telemetry.js";

const require = createRequire(import.meta.url);

/** uPlot's browser build and stylesheet, by the name the page asks for. */
const ASSETS: Record<string, { module: string; type: string }> = {
  "/uPlot.min.js": { module: "uplot/dist/uPlot.iife.min.js", type: "text/javascript" },
  "/uPlot.min.css": { module: "uplot/dist/uPlot.min.css", type: "text/css" },
};

type Answer = { status: number; type: string; body: string | Buffer };

/** Host names a browser on this machine uses for it. Any other Host is refused: a web
 *  page whose name its owner re-points at 127.0.0.1 (DNS rebinding) must not read the
 *  figures and the slow requests' paths through the visitor's browser. */
const LOCAL_HOST = /^(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/i;

export class TelemetryUi {
  private readonly server: Server;
  private readonly assets = new Map<string, Buffer>();

  constructor(private readonly telemetry: Telemetry) {
    this.server = createServer((req, res) => {
      void this.handle(req, res);
    });
  }

  /** Listens on 127.0.0.1 only (as mod_wsgi-express's UI): the figures are private. */
  listen(port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(port, "127.0.0.1", () => {
        this.server.off("error", reject);
        resolve((this.server.address() as AddressInfo).port);
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => {
        resolve();
      });
      this.server.closeAllConnections();
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let answer: Answer;
    if (!LOCAL_HOST.test(req.headers.host ?? "")) {
      answer = text(403, "forbidden: ask for 127.0.0.1 or localhost\n");
    } else if (req.method !== "GET" && req.method !== "HEAD") {
      res.setHeader("Allow", "GET, HEAD");
      answer = text(405, "method not allowed\n");
    } else {
      try {
        answer = await this.route(new URL(req.url ?? "/", "http://localhost"));
      } catch (error) {
        answer = text(500, `${String(error)}\n`);
      }
    }
    const body = Buffer.from(answer.body);
    res.writeHead(answer.status, {
      "Content-Type": answer.type,
      "Content-Length": body.length,
      "Cache-Control": "no-store",
    });
    res.end(req.method === "HEAD" ? undefined : body);
  }

  private async route(url: URL): Promise<Answer> {
    const { settings, slow } = this.telemetry;
    switch (url.pathname) {
      case "/":
        return html(dashboardPage(settings.intervalSeconds, settings.slowRequestSeconds));
      case "/dashboard.js":
        return { status: 200, type: "text/javascript", body: DASHBOARD_SCRIPT };
      case "/samples": {
        const since = Number(url.searchParams.get("since") ?? 0);
        const samples = this.telemetry.samplesSince(Number.isFinite(since) ? since : 0);
        const body = JSON.stringify({ samples, slow: slow?.recent() ?? [] });
        return { status: 200, type: "application/json", body };
      }
      case "/metrics": {
        const { text: body, type } = await this.telemetry.metrics.exposition();
        return { status: 200, type, body };
      }
      default:
        return this.asset(url.pathname);
    }
  }

  private async asset(path: string): Promise<Answer> {
    const asset = ASSETS[path];
    if (asset === undefined) return text(404, "not found\n");
    let body = this.assets.get(path);
    if (body === undefined) {
      body = await readFile(require.resolve(asset.module));
      this.assets.set(path, body);
    }
    return { status: 200, type: asset.type, body };
  }
}

function text(status: number, body: string): Answer {
  return { status, type: "text/plain; charset=utf-8", body };
}

function html(body: string): Answer {
  return { status: 200, type: "text/html; charset=utf-8", body };
}
