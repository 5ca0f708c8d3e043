/**
 * Telemetry put together for a running server: the recorder on the system clock, the
 * pool's restarts fed to it, the dashboard's server (--enable-telemetry) and the
 * collector (--telemetry-service). Loaded only when one of them (or --server-status,
 * for ?format=prometheus) is asked for, so prom-client is not even imported otherwise.
 */
import type { ServerConfig } from "../config/server-config.js";
import type { PoolStatus } from "../daemon/pool.js";
import { WsgiExpressError } from "../errors.js";
import type { ErrorLog } from "../log/error-log.js";
import { systemTimers } from "../process/timers.js";
import { openCollector } from "./collector.js";
import { readUsage } from "./proc-usage.js";
import { Telemetry } from "./telemetry.js";
import { TelemetryUi } from "./ui-server.js";

export interface TelemetryPool {
  status(): PoolStatus;
  onRestart: (pid: number, reason: string) => void;
}

export interface RunningTelemetry {
  readonly telemetry: Telemetry;
  /** The dashboard's address (--enable-telemetry), for the banner; else null. */
  readonly uiUrl: string | null;
  close(): Promise<void>;
}

export async function startTelemetry(
  config: ServerConfig,
  pool: TelemetryPool,
  errorLog: ErrorLog,
): Promise<RunningTelemetry> {
  const settings = config.telemetry;
  const telemetry = new Telemetry(settings, {
    pool,
    readUsage,
    timers: systemTimers,
    wallClock: () => Date.now() / 1000,
  });
  pool.onRestart = (pid, reason) => {
    telemetry.restarted(pid, reason);
  };
  const ui = settings.uiPort === null ? null : new TelemetryUi(telemetry);
  let uiUrl: string | null = null;
  if (ui !== null && settings.uiPort !== null) {
    try {
      uiUrl = `http://127.0.0.1:${await ui.listen(settings.uiPort)}/`;
      errorLog.notice(`telemetry dashboard on ${uiUrl} (metrics: ${uiUrl}metrics)`);
    } catch (error) {
      throw new WsgiExpressError(
        "WSGIX_ERR_TELEMETRY_PORT",
        `--telemetry-ui-port: cannot listen on 127.0.0.1:${settings.uiPort}: ${(error as Error).message}`,
      );
    }
  }
  const collector = settings.service === null ? null : openCollector(settings.service);
  if (collector !== null) {
    telemetry.onSample((sample) => {
      collector.send(sample);
    });
  }
  telemetry.start();
  return {
    telemetry,
    uiUrl,
    async close() {
      telemetry.stop();
      collector?.close();
      await ui?.close();
    },
  };
}
