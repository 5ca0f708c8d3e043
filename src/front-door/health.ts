/**
 * The liveness and readiness probes (--liveness-path, --readiness-path): answered by the
 * front end itself, never the application, so that an orchestrator can tell "restart
 * this container" (liveness fails) apart from "send traffic elsewhere" (readiness
 * fails), the split Kubernetes' probes make and kube-apiserver's /livez and /readyz
 * follow. Readiness turns 503 the moment a stop signal arrives (startDraining), before
 * the listener closes, so that load balancers stop sending first (--shutdown-delay).
 */
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { HealthConfig } from "../config/resolve-health.js";
import { countBody } from "../http/access-log.js";

export interface ProbeAnswer {
  readonly status: number;
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
}

export interface ProbeState {
  /** Some daemon process has loaded the app and has a thread connected. */
  readonly appReady: boolean;
  /** A stop signal arrived: the server is on its way out. */
  readonly draining: boolean;
}

const PLAIN = { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" };

/** The answer to a request for `url` with `method`, or null when it is not a probe. */
export function probeAnswer(
  config: HealthConfig,
  method: string,
  url: string,
  state: ProbeState,
): ProbeAnswer | null {
  const path = url.split("?", 1)[0];
  const probe =
    path === config.livenessPath ? "liveness" : path === config.readinessPath ? "readiness" : null;
  if (probe === null) return null;
  if (method !== "GET" && method !== "HEAD") {
    return { status: 405, body: "method not allowed\n", headers: { ...PLAIN, Allow: "GET, HEAD" } };
  }
  if (probe === "liveness") return { status: 200, body: "alive\n", headers: PLAIN };
  if (state.draining) return { status: 503, body: "not ready: shutting down\n", headers: PLAIN };
  if (!state.appReady) {
    const body = "not ready: no daemon process has loaded the application\n";
    return { status: 503, body, headers: PLAIN };
  }
  return { status: 200, body: "ready\n", headers: PLAIN };
}

export class HealthChecks {
  private draining = false;

  constructor(
    private readonly config: HealthConfig,
    private readonly appReady: () => boolean,
  ) {}

  /** True when `req` was a probe, now answered. */
  answer(req: IncomingMessage, res: ServerResponse): boolean {
    if (this.config.livenessPath === null && this.config.readinessPath === null) return false;
    const state = { appReady: this.draining ? false : this.appReady(), draining: this.draining };
    const answer = probeAnswer(this.config, req.method ?? "GET", req.url ?? "", state);
    if (answer === null) return false;
    const body = Buffer.from(answer.body);
    res.writeHead(answer.status, { ...answer.headers, "Content-Length": body.length });
    res.end(body);
    if (req.method !== "HEAD") countBody(res, body.length);
    return true;
  }

  drain(): void {
    this.draining = true;
  }
}

const checksOf = new WeakMap<Server, HealthChecks>();

/** Ties `checks` to the server they answer for, so that the lifecycle can drain them. */
export function withHealthChecks(server: Server, checks: HealthChecks): Server {
  checksOf.set(server, checks);
  return server;
}

/** Readiness answers 503 from now on: the server is stopping. */
export function startDraining(server: Server): void {
  checksOf.get(server)?.drain();
}
