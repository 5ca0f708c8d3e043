/** Apache's log levels, most severe first (--log-level). */
export const LOG_LEVELS = [
  "emerg",
  "alert",
  "crit",
  "error",
  "warn",
  "notice",
  "info",
  "debug",
] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
