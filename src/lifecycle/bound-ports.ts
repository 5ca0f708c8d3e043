/**
 * MOD_WSGI_HTTP_PORT and MOD_WSGI_HTTPS_PORT as the listeners were bound. With `--port 0`
 * or `--https-port 0` the configuration holds 0 and the system chose the port; the
 * daemons and services start after the listeners, so they are given the real one, which
 * an app that builds absolute URLs from these variables needs (0 would name no port).
 * mod_wsgi-express writes the options' values, which under Apache are always real ports.
 */
import type { ServerConfig } from "../config/server-config.js";

export function boundPortEnvironment(
  httpPort: number,
  httpsPort: number | null,
): Record<string, string> {
  return {
    MOD_WSGI_HTTP_PORT: String(httpPort),
    // Python's None without an HTTPS port, as resolve-environ.ts writes it.
    MOD_WSGI_HTTPS_PORT: httpsPort === null ? "None" : String(httpsPort),
  };
}

/** `config` with `environment` over its daemons' environment (services read it there). */
export function withEnvironment(
  config: ServerConfig,
  environment: Readonly<Record<string, string>>,
): ServerConfig {
  const daemons = Object.freeze({
    ...config.daemons,
    environment: Object.freeze({ ...config.daemons.environment, ...environment }),
  });
  return Object.freeze({ ...config, daemons });
}
