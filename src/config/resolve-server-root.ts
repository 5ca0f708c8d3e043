/**
 * `--server-root` and the private socket directory inside it. The default is
 * mod_wsgi-express's `${TMPDIR:-/tmp}/mod_wsgi-<host>:<port>:<uid>`; with `--port 0`
 * the pid is appended so that parallel servers on port 0 never share a root.
 */
import { join, resolve } from "node:path";
import { optionError } from "../errors.js";
import type { ResolveContext } from "./context.js";
import type { OptionReader } from "./option-reader.js";
import type { ListenConfig } from "./server-config.js";
import { hostAndPort } from "./resolve-listen.js";

export interface ServerRootConfig {
  readonly serverRoot: string;
  readonly socketDirectory: string;
}

export function resolveServerRoot(
  options: OptionReader,
  listen: ListenConfig,
  context: ResolveContext,
): ServerRootConfig {
  const given = options.optionalString("server-root");
  const serverRoot =
    given === null ? defaultServerRoot(listen, context) : resolve(context.cwd, given);
  // --socket-prefix: for a server root whose path is too long for a socket's sun_path.
  // The directory is per server (uid and pid), as it is private to one front end.
  const prefix = options.optionalString("socket-prefix");
  const socketDirectory =
    prefix === null
      ? join(serverRoot, "sockets")
      : join(resolve(context.cwd, prefix), `wsgi-express.${context.uid}.${context.pid}`);
  checkSocketPath(
    join(socketDirectory, DAEMON_SOCKET),
    prefix === null ? ["server-root", given] : ["socket-prefix", prefix],
  );
  return { serverRoot, socketDirectory };
}

/** The Unix socket the daemons connect to, in the socket directory. */
export const DAEMON_SOCKET = "daemon.sock";

/** The longest path a Unix socket can be bound to: sun_path holds 108 bytes on Linux
 *  (104 elsewhere) with the closing NUL. node cuts a longer one short and binds that. */
const SOCKET_PATH_MAX = process.platform === "linux" ? 107 : 103;

function checkSocketPath(path: string, [option, given]: [string, string | null]): void {
  const length = Buffer.byteLength(path);
  if (length <= SOCKET_PATH_MAX) return;
  const hint = option === "server-root" ? "; --socket-prefix DIR puts the sockets in DIR" : "";
  throw optionError(
    "WSGIX_ERR_OPTION_VALUE",
    `--${option}`,
    `a path short enough for a Unix socket (${path} is ${String(length)} bytes, over ${String(SOCKET_PATH_MAX)}${hint})`,
    given ?? path,
  );
}

function defaultServerRoot(listen: ListenConfig, context: ResolveContext): string {
  // `${TMPDIR:-/tmp}`: an empty TMPDIR counts as unset.
  const temporary = context.env["TMPDIR"] || "/tmp";
  const unique = listen.port === 0 ? `.${context.pid}` : "";
  const name = `mod_wsgi-${hostAndPort(listen)}:${context.uid}${unique}`;
  return resolve(context.cwd, temporary, name);
}
