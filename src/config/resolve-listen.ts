/** `--host`, `--port`, `--server-name`, `--server-alias`, `--server-backlog`. */
import { optionError } from "../errors.js";
import type { OptionReader } from "./option-reader.js";
import type { ListenConfig } from "./server-config.js";

/** The name used for the server when `--host` is not given (mod_wsgi-express). */
export const DEFAULT_HOST_NAME = "localhost";

export function resolveListen(options: OptionReader): ListenConfig {
  const host = resolveHost(options.optionalString("host"));
  return {
    host,
    port: options.number("port"),
    serverName: options.optionalString("server-name") ?? host ?? DEFAULT_HOST_NAME,
    serverAliases: options.list("server-alias"),
    backlog: options.number("server-backlog"),
  };
}

function resolveHost(host: string | null): string | null {
  if (host === null) return null;
  if (host.trim() === "" || /\s/.test(host)) {
    throw optionError("WSGIX_ERR_OPTION_VALUE", "--host", "an IP address or host name", host);
  }
  return host;
}

/** `<host>:<port>` with `localhost` for an unset host: the default process group name. */
export function hostAndPort(listen: ListenConfig): string {
  return `${listen.host ?? DEFAULT_HOST_NAME}:${listen.port}`;
}
