/**
 * SIGHUP restarts every daemon process, SIGUSR1 restarts them gracefully (apachectl's
 * restart and graceful). Either way the listening socket stays open and queued requests
 * wait for the replacements, which must report ready before the old processes stop
 * taking requests. SIGHUP gives the old processes' requests in flight only
 * --shutdown-timeout; SIGUSR1 gives them --eviction-timeout (else --graceful-timeout).
 */
import type { DaemonConfig } from "../config/server-config.js";
import type { DaemonPool } from "../daemon/pool.js";
import type { ErrorLog } from "../log/error-log.js";

export function handleRestartSignals(
  pool: DaemonPool,
  daemons: DaemonConfig,
  log: ErrorLog,
  /** Re-reads what Apache re-reads at any restart: the certificates (--https-port). */
  reread: () => void = () => undefined,
): () => void {
  const onHup = (): void => {
    log.notice("caught SIGHUP, restarting the daemon processes");
    reread();
    pool.restartAll("restart_signal", 0);
  };
  const onUsr1 = (): void => {
    log.notice("caught SIGUSR1, restarting the daemon processes gracefully");
    reread();
    const window = daemons.evictionTimeout > 0 ? daemons.evictionTimeout : daemons.gracefulTimeout;
    pool.restartAll(daemons.evictionTimeout > 0 ? "eviction_signal" : "graceful_signal", window);
  };
  process.on("SIGHUP", onHup);
  process.on("SIGUSR1", onUsr1);
  return () => {
    process.off("SIGHUP", onHup);
    process.off("SIGUSR1", onUsr1);
  };
}
