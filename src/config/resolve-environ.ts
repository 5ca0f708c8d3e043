/**
 * Environments: the per-request additions (`--setenv`, `--passenv`; Apache's SetEnv and
 * PassEnv, which never touch os.environ) and the daemons' MOD_WSGI_* process markers.
 */
import type { Environment } from "./context.js";
import type { OptionReader } from "./option-reader.js";
import type { ListenConfig } from "./server-config.js";
import { DEBUG_FEATURES } from "./resolve-debug.js";
import { DEFAULT_HOST_NAME } from "./resolve-listen.js";

type Pairs = readonly (readonly [string, string])[];

/** `--setenv` pairs, then `--passenv` names that are set in the environment, in order. */
export function resolveRequestEnviron(options: OptionReader, env: Environment): Pairs {
  const passed = options.list("passenv").flatMap((name): Pairs => {
    const value = Object.hasOwn(env, name) ? env[name] : undefined;
    return value === undefined ? [] : [[name, value]];
  });
  return [...options.pairs("setenv"), ...passed];
}

/** The features whose markers are `'true'` when on and absent when off (§3.1). */
const FEATURE_MARKERS: readonly (readonly [string, readonly string[]])[] = [
  ["MOD_WSGI_RELOADER_ENABLED", ["reload-on-changes"]],
  // Since mod_wsgi 6.0 each debug feature implies debug mode.
  ["MOD_WSGI_DEBUG_MODE", DEBUG_FEATURES],
  ["MOD_WSGI_DEBUGGER_ENABLED", ["enable-debugger"]],
  ["MOD_WSGI_COVERAGE_ENABLED", ["enable-coverage"]],
  ["MOD_WSGI_PROFILER_ENABLED", ["enable-profiler"]],
  ["MOD_WSGI_RECORDER_ENABLED", ["enable-recorder"]],
  ["MOD_WSGI_GDB_ENABLED", ["enable-gdb"]],
];

export interface MarkerInputs {
  readonly listen: ListenConfig;
  readonly serverRoot: string;
  readonly workingDirectory: string;
}

/**
 * The MOD_WSGI_* variables mod_wsgi-express gives the application's processes: those
 * handler.wsgi sets (§3.1) and those the generated apachectl exports (§3.2).
 */
export function resolveDaemonEnvironment(
  options: OptionReader,
  inputs: MarkerInputs,
): Record<string, string> {
  const { listen } = inputs;
  const environment: Record<string, string> = {
    MOD_WSGI_EXPRESS: "true",
    MOD_WSGI_SERVER_NAME: listen.serverName,
    MOD_WSGI_SERVER_ALIASES: listen.serverAliases.join(" "),
  };
  for (const [variable, features] of FEATURE_MARKERS) {
    if (features.some((name) => options.flag(name))) environment[variable] = "true";
  }
  const httpsPort = options.optionalNumber("https-port");
  return {
    ...environment,
    MOD_WSGI_SERVER_ROOT: inputs.serverRoot,
    MOD_WSGI_LISTENER_HOST: listen.host ?? DEFAULT_HOST_NAME,
    MOD_WSGI_HTTP_PORT: String(listen.port),
    // mod_wsgi writes Python's None when there is no HTTPS port.
    MOD_WSGI_HTTPS_PORT: httpsPort === null ? "None" : String(httpsPort),
    MOD_WSGI_WORKING_DIRECTORY: inputs.workingDirectory,
  };
}
