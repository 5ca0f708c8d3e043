/**
 * The debug features (mod_wsgi-express §5): debug mode, the post-mortem debugger,
 * coverage, the profiler, the recorder and gdb. Each --enable-* option implies debug
 * mode, as in mod_wsgi 6.0.
 */
import { join, resolve } from "node:path";
import type { ResolveContext } from "./context.js";
import type { OptionReader } from "./option-reader.js";
import type { DaemonConfig, DebugConfig } from "./server-config.js";

/** Debug mode and the features that imply it (mod_wsgi 6.0). */
export const DEBUG_FEATURES = [
  "debug-mode",
  "enable-debugger",
  "enable-coverage",
  "enable-profiler",
  "enable-recorder",
  "enable-gdb",
] as const;

export function resolveDebug(
  options: OptionReader,
  serverRoot: string,
  context: Pick<ResolveContext, "cwd">,
): DebugConfig {
  const directory = (feature: string, option: string, fallback: string): string | null => {
    if (!options.flag(feature)) return null;
    const given = options.optionalString(option);
    return given === null ? join(serverRoot, fallback) : resolve(context.cwd, given);
  };
  const debuggerOn = options.flag("enable-debugger");
  return {
    debugMode: DEBUG_FEATURES.some((name) => options.flag(name)),
    debugger: debuggerOn,
    // mod_wsgi: --debugger-startup means nothing without --enable-debugger.
    debuggerStartup: debuggerOn && options.flag("debugger-startup"),
    coverageDirectory: directory("enable-coverage", "coverage-directory", "htmlcov"),
    profilerDirectory: directory("enable-profiler", "profiler-directory", "pstats"),
    recorderDirectory: directory("enable-recorder", "recorder-directory", "archive"),
    gdbExecutable: options.flag("enable-gdb") ? options.string("gdb-executable") : null,
  };
}

type DebuggedDaemon = Pick<
  DaemonConfig,
  | "processes"
  | "threads"
  | "maximumRequests"
  | "startupTimeout"
  | "queueTimeout"
  | "socketTimeout"
  | "requestTimeout"
  | "deadlockTimeout"
  | "inactivityTimeout"
  | "restartInterval"
  | "cpuTimeLimit"
  | "memoryLimit"
  | "scriptReloading"
  | "reloadOnChanges"
>;

/** Debug mode: one process with one thread that a developer may hold at a pdb prompt
 *  for as long as they like, so no timeout or recycling may end it (mod_wsgi runs the
 *  app in httpd -X, where none of them exist, and source reloading is off). */
export function debugDaemonOverrides(debug: DebugConfig): Partial<DebuggedDaemon> {
  if (!debug.debugMode) return {};
  return {
    processes: 1,
    threads: 1,
    maximumRequests: 0,
    startupTimeout: 0,
    queueTimeout: 0,
    socketTimeout: 0,
    requestTimeout: 0,
    deadlockTimeout: 0,
    inactivityTimeout: 0,
    restartInterval: 0,
    cpuTimeLimit: 0,
    memoryLimit: 0,
    scriptReloading: false,
    reloadOnChanges: false,
  };
}
