/** The daemon process pool: its size, recycling and timeouts, interpreter and markers. */
import type { OptionReader } from "./option-reader.js";
import type { DaemonConfig, PythonInfo } from "./server-config.js";

export function resolveDaemons(
  options: OptionReader,
  python: PythonInfo,
  environment: Readonly<Record<string, string>>,
): Omit<DaemonConfig, "identity" | "pythonWarnings" | "pythonEggs"> {
  return {
    python,
    processes: options.optionalNumber("processes") ?? 1,
    // mod_wsgi: wsgi.multiprocess is true whenever --processes is given, even as 1.
    multiprocess: options.given("processes"),
    threads: options.number("threads"),
    maximumRequests: options.number("maximum-requests"),
    startupTimeout: options.number("startup-timeout"),
    shutdownTimeout: options.number("shutdown-timeout"),
    queueTimeout: options.number("queue-timeout"),
    socketTimeout: options.number("socket-timeout"),
    connectTimeout: options.number("connect-timeout"),
    requestTimeout: options.number("request-timeout"),
    environment,
  };
}
