/**
 * How the daemons' Python interpreter runs: --switch-interval, --orphan-interpreter,
 * --free-threading, and whether the Python can hold the --application-group asked for.
 * Resolved after the Python probe, since two of them depend on what the Python is.
 */
import { WsgiExpressError, optionError, quote } from "../errors.js";
import type { OptionReader } from "./option-reader.js";
import type { InterpreterConfig, PythonInfo } from "./server-config.js";

export function resolveInterpreter(
  options: OptionReader,
  python: PythonInfo,
  applicationGroup: string,
): InterpreterConfig {
  if (applicationGroup !== "") checkSubInterpreters(python, applicationGroup);
  const freeThreading = options.flag("free-threading");
  if (freeThreading && !python.freeThreaded) {
    // mod_wsgi-express refuses it too (parser.error), rather than run with the GIL.
    throw new WsgiExpressError(
      "WSGIX_ERR_PYTHON_FEATURE",
      `--free-threading: expected a free-threaded Python build (3.13t or newer, ` +
        `sysconfig Py_GIL_DISABLED set), got Python ${python.version} with the GIL ` +
        `(${quote(python.executable)})`,
    );
  }
  return {
    switchInterval: switchInterval(options),
    orphanInterpreter: options.flag("orphan-interpreter"),
    freeThreading,
  };
}

/** The oldest Python whose standard library can run code in a sub-interpreter from a
 *  thread of its own (_xxsubinterpreters in 3.12, _interpreters in 3.13; see
 *  python/_wsgi_express/subinterpreter.py). */
export const SUB_INTERPRETERS: readonly [number, number] = [3, 12];

function checkSubInterpreters(python: PythonInfo, group: string): void {
  const [major, minor] = python.release;
  const [leastMajor, leastMinor] = SUB_INTERPRETERS;
  if (major > leastMajor || (major === leastMajor && minor >= leastMinor)) return;
  throw new WsgiExpressError(
    "WSGIX_ERR_PYTHON_FEATURE",
    `--application-group: the named group ${quote(group)} runs in a Python ` +
      `sub-interpreter, which needs Python ${String(leastMajor)}.${String(leastMinor)} or newer; ` +
      `got Python ${python.version} (${quote(python.executable)}); use %{GLOBAL} on it`,
  );
}

function switchInterval(options: OptionReader): number | null {
  const seconds = options.optionalNumber("switch-interval");
  // mod_wsgi-express: "--switch-interval must be > 0"; sys.setswitchinterval() refuses 0.
  if (seconds === null || seconds > 0) return seconds;
  throw optionError(
    "WSGIX_ERR_OPTION_VALUE",
    "--switch-interval",
    "a number of seconds greater than 0",
    String(seconds),
  );
}

/** The interpreter arguments a daemon is started with. On a free-threaded build
 *  mod_wsgi turns the GIL on unless --free-threading says otherwise (PyConfig.enable_gil,
 *  WSGIFreeThreading's documentation); on a GIL build the option does not exist. */
export function gilArguments(python: PythonInfo, interpreter: InterpreterConfig): string[] {
  if (!python.freeThreaded) return [];
  return ["-X", interpreter.freeThreading ? "gil=0" : "gil=1"];
}
