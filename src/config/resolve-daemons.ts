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
    interruptTimeout: options.number("interrupt-timeout"),
    gracefulTimeout: options.number("graceful-timeout"),
    evictionTimeout: options.number("eviction-timeout"),
    deadlockTimeout: options.number("deadlock-timeout"),
    inactivityTimeout: options.number("inactivity-timeout"),
    ignoreActivity: options.list("ignore-activity"),
    restartInterval: options.number("restart-interval"),
    cpuTimeLimit: options.number("cpu-time-limit"),
    memoryLimit: options.number("memory-limit"),
    virtualMemoryLimit: options.number("virtual-memory-limit"),
    scriptReloading: !options.flag("disable-reloading"),
    reloadOnChanges: options.flag("reload-on-changes"),
    enableSendfile: options.flag("enable-sendfile"),
    environment,
  };
}
