/**
 * Telemetry's view of one application request (only when telemetry is on: the request
 * path otherwise never builds one). It counts as running while a thread has it, and
 * when its response is over it becomes a RequestRecord: its phases from the session's
 * timing (exchange/backend.ts), its status, the process and thread that ran it.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { TelemetryConfig } from "../config/resolve-telemetry.js";
import type { Exchange } from "../exchange/exchange.js";
import type { RequestRecord, RunningRequest } from "../telemetry/records.js";
import type { Telemetry } from "../telemetry/telemetry.js";

export class RequestTracer {
  constructor(
    private readonly telemetry: Telemetry,
    private readonly capture: Pick<TelemetryConfig, "captureUserAgent" | "captureQueryString">,
  ) {}

  /** Traces a request about to be handed to the backend; `leave` is admission's. */
  begin(
    req: IncomingMessage,
    res: ServerResponse,
    requestStart: number,
    leave: () => void,
  ): RequestTrace {
    return new RequestTrace(this.telemetry, this.capture, req, res, requestStart, leave);
  }
}

export class RequestTrace implements RunningRequest {
  private exchange: Exchange | null = null;
  /** When the backend was done with it (monotonic ms). */
  private backendDoneAt: number | null = null;
  /** The backend is done with it: what admission is told, with the time kept. */
  readonly leave: () => void;

  constructor(
    private readonly telemetry: Telemetry,
    private readonly capture: RequestTracer["capture"],
    private readonly req: IncomingMessage,
    res: ServerResponse,
    /** Seconds since the epoch (mod_wsgi.request_start). */
    private readonly requestStart: number,
    leave: () => void,
  ) {
    this.leave = () => {
      this.backendDoneAt ??= telemetry.now();
      leave();
    };
    telemetry.running.add(this);
    res.once("close", () => {
      this.finish(res.statusCode);
    });
  }

  attach(exchange: Exchange): void {
    this.exchange = exchange;
  }

  running(): { pid: number; startedAt: number; endedAt: number | null } | null {
    if (this.exchange === null) return null;
    const { pid, startedAt } = this.exchange.timing;
    if (pid === null || startedAt === null) return null;
    return { pid, startedAt, endedAt: this.backendDoneAt };
  }

  private finish(status: number): void {
    this.telemetry.running.delete(this);
    if (this.exchange === null) return;
    this.telemetry.record(this.record(this.exchange, status));
  }

  private record(exchange: Exchange, status: number): RequestRecord {
    const end = this.telemetry.now();
    const timing = exchange.timing;
    const endedAt = this.backendDoneAt ?? end;
    const server = Math.max(0, timing.queueStart - this.requestStart);
    const ran = timing.startedAt;
    const uri = exchange.environ.REQUEST_URI ?? this.req.url ?? "";
    const agent = this.req.headers["user-agent"];
    return {
      method: this.req.method ?? "",
      path: this.capture.captureQueryString ? uri : (uri.split("?", 1)[0] ?? ""),
      status,
      userAgent: this.capture.captureUserAgent && agent !== undefined ? agent : null,
      server,
      queue: Math.max(0, ((ran ?? end) - timing.queuedAt) / 1000),
      application: ran === null ? null : Math.max(0, (endedAt - ran) / 1000),
      total: server + Math.max(0, (end - timing.queuedAt) / 1000),
      pid: timing.pid,
      thread: timing.thread,
      startedAt: ran,
      endedAt,
    };
  }
}
