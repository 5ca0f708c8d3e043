/** The auth gate of a server's configuration, on its helper process; null when no
 *  access or auth script is configured. */
import { randomBytes } from "node:crypto";
import type { ServerConfig } from "../config/server-config.js";
import type { ErrorLog } from "../log/error-log.js";
import { systemTimers } from "../process/timers.js";
import { AuthGate } from "./gate.js";
import { AuthHelper } from "./helper.js";
import { HelperProcess } from "./helper-process.js";
import { NonceBook } from "./nonces.js";

/** Seconds: --request-timeout's default. */
const DEFAULT_CHECK_TIMEOUT = 60;

export function createAuthGate(
  config: ServerConfig,
  errorLog: ErrorLog,
  serverSoftware: string,
): AuthGate | null {
  const { auth } = config;
  if (auth.hostAccessScript === null && auth.userScript === null) return null;
  const helper = new AuthHelper(
    (events, startedAt) => new HelperProcess(config, errorLog, events, startedAt),
    systemTimers,
    {
      // A check is part of the request: --request-timeout bounds it, and when that is
      // off (0) the option's default does, for a stuck check must end somehow.
      timeoutMs: (config.daemons.requestTimeout || DEFAULT_CHECK_TIMEOUT) * 1000,
      graceMs: config.daemons.shutdownTimeout * 1000,
    },
    errorLog,
  );
  const environ = {
    serverSoftware,
    serverName: config.listen.serverName,
    documentRoot: config.site.documentRoot,
  };
  const nonces = new NonceBook(() => Date.now());
  return new AuthGate(auth, environ, helper, nonces, randomBytes(16).toString("hex"), errorLog);
}
