/**
 * --embedded-mode (mod_wsgi-express's meaning): the application runs inside the front
 * end's own worker processes (docs/embedded-mode.md). The options that cannot work
 * there yet are refused, each with why, as mod_wsgi-express refuses its daemon-only
 * options when embedded.
 */
import { WsgiExpressError } from "../errors.js";
import type { OptionReader } from "./option-reader.js";

/** Option -> why it does not work in embedded mode (yet). */
export const REFUSED_IN_EMBEDDED_MODE: Readonly<Record<string, string>> = {
  "https-port": "the HTTPS listener is not served by embedded workers yet",
  user: "the workers are the front end's own processes, which do not change user yet",
  group: "the workers are the front end's own processes, which do not change group yet",
  "debug-mode": "debug mode runs one Python process attached to the terminal",
  "enable-debugger": "it needs debug mode",
  "enable-coverage": "it needs debug mode",
  "enable-profiler": "it needs debug mode",
  "enable-recorder": "it needs debug mode",
  "enable-gdb": "it runs a daemon process under gdb",
  "virtual-memory-limit":
    "RLIMIT_AS would bound node's own address space as well (V8 reserves gigabytes of it)",
  "deadlock-timeout": "a worker whose Python holds the GIL is not detected and replaced yet",
};

/** A named --application-group runs in a sub-interpreter of each daemon
 *  (subinterpreter.py); the embedded runtime runs the app in the main one only. */
export const NAMED_GROUP_WHY =
  "a named group's sub-interpreter is not run by embedded workers yet (only %{GLOBAL}, " +
  "the main interpreter)";

/** Whether embedded mode is on; throws for an option it cannot honour. */
export function resolveEmbedded(options: OptionReader): boolean {
  if (!options.flag("embedded-mode")) return false;
  for (const [name, why] of Object.entries(REFUSED_IN_EMBEDDED_MODE)) {
    if (options.given(name)) throw refused(name, why);
  }
  if (options.string("application-group") !== "%{GLOBAL}") {
    throw refused("application-group", NAMED_GROUP_WHY);
  }
  return true;
}

function refused(name: string, why: string): WsgiExpressError {
  return new WsgiExpressError(
    "WSGIX_ERR_EMBEDDED_OPTION",
    `--${name}: not available with --embedded-mode: ${why}; leave it out or run in ` +
      "daemon mode",
  );
}
