/** What setup-server (and start-server --setup-only) prints: the banner, not served. */
import { join } from "node:path";
import type { ServerConfig } from "../config/server-config.js";
import { formatBanner } from "../lifecycle/banner.js";

export function setupBanner(config: ServerConfig): string {
  const { listen, logging } = config;
  const terminal = logging.logToTerminal;
  return formatBanner(config, {
    port: listen.port,
    errorLog: terminal ? "/dev/stderr" : join(logging.logDirectory, logging.errorLogName),
    accessLog: !logging.accessLog
      ? null
      : terminal
        ? "/dev/stdout"
        : join(logging.logDirectory, logging.accessLogName),
    app: null,
    python: null,
    setup: true,
  });
}
