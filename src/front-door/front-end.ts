/**
 * The front end put together: the front door (front-door.ts) behind the HTTP listener,
 * the HTTPS listener when there is one, plain-text HTTP/2 (h2c) with --http2, the
 * probes and the status page answered first, and proxied upgrades.
 */
import type { Server } from "node:http";
import type { ServerConfig } from "../config/server-config.js";
import type { DaemonPool } from "../daemon/pool.js";
import type { AccessLog } from "../http/access-log.js";
import { createHttpServer, serveRequests, type RequestHandler } from "../http/listener.js";
import { servePlainHttp2 } from "../http/h2c.js";
import type { ErrorLog } from "../log/error-log.js";
import { HealthChecks, withHealthChecks } from "./health.js";
import type { SecureSite } from "./secure-site.js";
import { ServerStatus } from "./server-status.js";

import { FrontDoor } from "./front-door.js";
import { RequestTracer } from "./request-trace.js";
import type { Telemetry } from "../telemetry/telemetry.js";

export function createFrontEnd(
  config: ServerConfig,
  pool: DaemonPool,
  errorLog: ErrorLog,
  accessLog: AccessLog | null,
  /** The HTTPS listener (an https.Server) and its rules, served by the same door. */
  https: { server: Server; site: SecureSite } | null = null,
  /** Telemetry (--enable-telemetry, --telemetry-service, --server-status); null: off. */
  telemetry: Telemetry | null = null,
): Server {
  const health = new HealthChecks(config.health, () => pool.appReady);
  const metrics = telemetry?.metrics ?? null;
  const status = config.health.serverStatus ? new ServerStatus(pool, metrics) : null;
  const tracer = telemetry && new RequestTracer(telemetry, config.telemetry);
  const door = new FrontDoor(config, pool, errorLog, accessLog, https?.site ?? null, {
    health,
    status,
    tracer,
  });
  const handle: RequestHandler = (req, res, expectContinue) => {
    door.handle(req, res, expectContinue);
  };
  if (https) serveRequests(https.server, config, errorLog, handle);
  const server = withHealthChecks(createHttpServer(config, errorLog, handle), health);
  server.once("close", () => {
    door.stop();
  });
  if (door.proxy) {
    door.proxy.acceptUpgrades(server, handle);
    if (https) door.proxy.acceptUpgrades(https.server, handle);
  }
  // Last: the h2c gate takes over every 'connection' listener the server has.
  if (config.http.http2) servePlainHttp2(server, config, errorLog, handle);
  return server;
}
