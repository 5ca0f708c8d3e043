/**
 * SIGHUP restarts every daemon process, SIGUSR1 restarts them gracefully (apachectl's
 * restart and graceful). Either way the listening socket stays open and queued requests
 * wait for the replacements, which must report ready before the old processes stop
 * taking requests. SIGHUP gives the old processes' requests in flight only
 * --shutdown-timeout; SIGUSR1 gives them --eviction-timeout (else --graceful-timeout).
 * The signals only post an event: the supervisor's loop (supervisor.ts) acts on them.
 */
import type { DaemonConfig } from "../config/server-config.js";

export type RestartSignal = "SIGHUP" | "SIGUSR1";

/** The eviction rule, for SIGUSR1 sent to the server or to one daemon (which asks to be
 *  replaced with reason graceful_signal): with --eviction-timeout, its requests in
 *  flight get that long and process_stopping says eviction_signal (mod_wsgi). */
export function gracefulRestart(
  daemons: Pick<DaemonConfig, "evictionTimeout" | "gracefulTimeout">,
): {
  readonly reason: string;
  readonly drainSeconds: number;
} {
  return daemons.evictionTimeout > 0
    ? { reason: "eviction_signal", drainSeconds: daemons.evictionTimeout }
    : { reason: "graceful_signal", drainSeconds: daemons.gracefulTimeout };
}

/** What a restart signal to the server means: SIGHUP replaces every process with no
 *  drain time beyond --shutdown-timeout (apachectl restart), SIGUSR1 gracefully under
 *  the eviction rule (apachectl graceful). Daemon and embedded mode both follow it. */
export function restartFor(
  signal: RestartSignal,
  daemons: DaemonConfig,
): { readonly reason: string; readonly drainSeconds: number } {
  return signal === "SIGHUP"
    ? { reason: "restart_signal", drainSeconds: 0 }
    : gracefulRestart(daemons);
}

/** Passes SIGHUP and SIGUSR1 to `onSignal`; returns the function that stops that. */
export function handleRestartSignals(onSignal: (signal: RestartSignal) => void): () => void {
  const onHup = (): void => {
    onSignal("SIGHUP");
  };
  const onUsr1 = (): void => {
    onSignal("SIGUSR1");
  };
  process.on("SIGHUP", onHup);
  process.on("SIGUSR1", onUsr1);
  return () => {
    process.off("SIGHUP", onHup);
    process.off("SIGUSR1", onUsr1);
  };
}
