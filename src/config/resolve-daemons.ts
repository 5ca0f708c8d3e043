/** The daemon process pool: its size, recycling and timeouts, interpreter and markers. */
import { resolveEmbedded } from "./resolve-embedded.js";
import { optionError } from "../errors.js";
import type { OptionReader } from "./option-reader.js";
import { resolveInterpreter } from "./resolve-interpreter.js";
import type { DaemonConfig, PythonInfo } from "./server-config.js";

export function resolveDaemons(
  options: OptionReader,
  python: PythonInfo,
  environment: Readonly<Record<string, string>>,
  applicationGroup: string,
): Omit<
  DaemonConfig,
  "identity" | "pythonWarnings" | "pythonEggs" | "sendBufferSize" | "receiveBufferSize"
> {
  return {
    python,
    processes: options.optionalNumber("processes") ?? 1,
    embedded: resolveEmbedded(options),
    // mod_wsgi: wsgi.multiprocess is true whenever --processes is given, even as 1.
    multiprocess: options.given("processes"),
    threads: options.number("threads"),
    maximumRequests: options.number("maximum-requests"),
    startupTimeout: options.number("startup-timeout"),
    shutdownTimeout: options.number("shutdown-timeout"),
    queueTimeout: options.number("queue-timeout"),
    backlog: options.number("daemon-backlog"),
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
    // mod_wsgi-express: --server-status turns server metrics on too.
    serverMetrics: options.flag("server-metrics") || options.flag("server-status"),
    environment,
    interpreter: resolveInterpreter(options, python, applicationGroup),
  };
}

/** The daemon threads' socket buffers; resolved apart from the rest, before the Python
 *  probe, so that a bad size is reported without running one. */
export function resolveSocketBuffers(
  options: OptionReader,
): Pick<DaemonConfig, "sendBufferSize" | "receiveBufferSize"> {
  return {
    sendBufferSize: socketBuffer(options, "send-buffer-size"),
    receiveBufferSize: socketBuffer(options, "receive-buffer-size"),
  };
}

/** The least a set socket buffer size may be (mod_wsgi). */
const SOCKET_BUFFER_MINIMUM = 512;

function socketBuffer(options: OptionReader, name: string): number {
  const size = options.number(name);
  if (size === 0 || size >= SOCKET_BUFFER_MINIMUM) return size;
  throw optionError(
    "WSGIX_ERR_OPTION_VALUE",
    `--${name}`,
    `0 or a whole number of ${SOCKET_BUFFER_MINIMUM} or more`,
    String(size),
  );
}
