/** Timestamps in the shapes Apache's logs use, so existing log tooling keeps working. */

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

const pad = (n: number, width = 2): string => String(n).padStart(width, "0");

let monotonicOrigin = performance.timeOrigin;

/**
 * Now, in whole microseconds since the epoch: Date has only milliseconds, so the rest
 * comes from the monotonic clock, pinned to the wall clock. Should the two drift apart
 * by more than a millisecond (the system clock was set), it is pinned again.
 */
export function epochMicros(): number {
  const monotonic = performance.now();
  const wall = Date.now();
  if (Math.abs(monotonicOrigin + monotonic - wall) > 1) monotonicOrigin = wall - monotonic;
  // Under 2^53 until the year 2255: an integer, so no digits are lost to floating point.
  return Math.floor((monotonicOrigin + monotonic) * 1000);
}

/** Error log: `Mon Nov 23 21:34:02.123456 2026` (ErrorLogFormat's default %{cu}t), with
 *  real microseconds as Apache has them. */
export function errorLogTime(micros: number): string {
  const date = new Date(Math.floor(micros / 1000));
  const fraction = pad(micros % 1_000_000, 6);
  return (
    `${DAYS[date.getDay()] ?? ""} ${MONTHS[date.getMonth()] ?? ""} ${pad(date.getDate())} ` +
    `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${fraction} ` +
    `${date.getFullYear()}`
  );
}

/** ErrorLogFormat's %t: `Mon Nov 23 21:34:02 2026`, whole seconds (ctime). */
export function ctimeLogTime(micros: number): string {
  const full = errorLogTime(micros);
  return full.slice(0, -12) + full.slice(-5);
}

/** ErrorLogFormat's %{c}t and %{cu}t: compact ISO 8601, `2026-11-23 21:34:02[.123456]`. */
export function compactLogTime(micros: number, withMicros: boolean): string {
  const date = new Date(Math.floor(micros / 1000));
  const day = `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
  const time = `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
  return `${day} ${time}${withMicros ? `.${pad(micros % 1_000_000, 6)}` : ""}`;
}

/** Access log: `[23/Nov/2026:21:34:02 +0000]` (LogFormat %t). */
export function accessLogTime(date: Date): string {
  const offset = -date.getTimezoneOffset();
  const sign = offset >= 0 ? "+" : "-";
  const zone = `${sign}${pad(Math.floor(Math.abs(offset) / 60))}${pad(Math.abs(offset) % 60)}`;
  return (
    `[${pad(date.getDate())}/${MONTHS[date.getMonth()] ?? ""}/${date.getFullYear()}:` +
    `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())} ${zone}]`
  );
}
