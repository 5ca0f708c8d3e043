/**
 * When a daemon process is due for a graceful recycle. Pure: the pool passes what it
 * knows about the process and the clock, so every rule is unit-tested with fake times.
 * The reasons are mod_wsgi's process_stopping reasons (reference §6.4), plus
 * memory_limit (RSS-based, which mod_wsgi does not have). cpu_time_limit is a rule here
 * only for processes that count their own CPU time (embedded workers): a daemon has
 * the kernel's RLIMIT_CPU and SIGXCPU instead (python/_wsgi_express/limits.py).
 */

export type RecycleReason =
  | "maximum_requests"
  | "restart_interval"
  | "inactivity_timeout"
  | "memory_limit"
  | "cpu_time_limit";

export interface ProcessStats {
  /** Monotonic ms when the process was started. */
  readonly startedAt: number;
  /** Requests completed. */
  readonly requests: number;
  /** Requests running now. */
  readonly active: number;
  /** Monotonic ms of the last request start or finish that counts as activity; null
   *  before the first (mod_wsgi only starts the inactivity clock at the first request). */
  readonly lastActivity: number | null;
  /** Resident set size in bytes, if known. */
  readonly rssBytes: number | null;
  /** CPU time (user + system) the process has used, in ms, if it is counted here. */
  readonly cpuMs?: number | null;
}

/** The knobs in the units the rules need; 0 disables a rule. */
export interface RecycleLimits {
  readonly maximumRequests: number;
  readonly restartIntervalMs: number;
  readonly inactivityMs: number;
  readonly memoryLimit: number;
  /** CPU time in ms (mod_wsgi's cpu-time-limit: since the process started); absent or 0:
   *  not a rule here. */
  readonly cpuTimeLimitMs?: number;
}

export function recycleReason(
  stats: ProcessStats,
  limits: RecycleLimits,
  now: number,
): RecycleReason | null {
  if (limits.maximumRequests > 0 && stats.requests >= limits.maximumRequests) {
    return "maximum_requests";
  }
  if (limits.restartIntervalMs > 0 && now - stats.startedAt >= limits.restartIntervalMs) {
    return "restart_interval";
  }
  if (limits.memoryLimit > 0 && stats.rssBytes !== null && stats.rssBytes > limits.memoryLimit) {
    return "memory_limit";
  }
  const cpuLimit = limits.cpuTimeLimitMs ?? 0;
  if (cpuLimit > 0 && (stats.cpuMs ?? 0) >= cpuLimit) {
    return "cpu_time_limit";
  }
  if (
    limits.inactivityMs > 0 &&
    stats.active === 0 &&
    stats.lastActivity !== null &&
    now - stats.lastActivity >= limits.inactivityMs
  ) {
    return "inactivity_timeout";
  }
  return null;
}

/** The option that caused a recycle, for log lines users can act on. */
export const REASON_OPTION: Readonly<Record<string, string>> = {
  maximum_requests: "--maximum-requests",
  restart_interval: "--restart-interval",
  inactivity_timeout: "--inactivity-timeout",
  memory_limit: "--memory-limit",
  cpu_time_limit: "--cpu-time-limit",
  request_timeout: "--request-timeout",
  deadlock_timeout: "--deadlock-timeout",
  startup_timeout: "--startup-timeout",
  script_reload: "the WSGI script file changed",
  reload_on_changes: "--reload-on-changes",
  graceful_signal: "SIGUSR1",
  eviction_signal: "SIGUSR1",
  restart_signal: "SIGHUP",
};

/** Whether an environ path (SCRIPT_NAME + PATH_INFO) counts as activity, given the
 *  --ignore-activity prefixes (matched like an Apache <Location>: whole path segments). */
export function countsAsActivity(path: string, ignored: readonly string[]): boolean {
  return !ignored.some(
    (prefix) =>
      path === prefix ||
      (path.startsWith(prefix) && (prefix.endsWith("/") || path[prefix.length] === "/")),
  );
}
