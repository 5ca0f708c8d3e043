/**
 * Starts telemetry when something asks for it (--enable-telemetry, --telemetry-service,
 * or --server-status for its ?format=prometheus), importing src/telemetry/ only then:
 * without those options the server neither loads it nor does any of its work.
 */
import type { ServerConfig } from "../config/server-config.js";
import type { ErrorLog } from "../log/error-log.js";
import type { RunningTelemetry, TelemetryPool } from "../telemetry/start.js";

export type { RunningTelemetry };

export async function openTelemetry(
  config: ServerConfig,
  pool: TelemetryPool,
  errorLog: ErrorLog,
): Promise<RunningTelemetry | null> {
  const { uiPort, service } = config.telemetry;
  if (uiPort === null && service === null && !config.health.serverStatus) return null;
  const { startTelemetry } = await import("../telemetry/start.js");
  return startTelemetry(config, pool, errorLog);
}
