/** Timestamps in the shapes Apache's logs use, so existing log tooling keeps working. */

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

const pad = (n: number, width = 2): string => String(n).padStart(width, "0");

/** Error log: `Mon Nov 23 21:34:02.123456 2026` (ErrorLogFormat's default %{cu}t). */
export function errorLogTime(date: Date): string {
  const micros = pad(date.getMilliseconds() * 1000, 6);
  return (
    `${DAYS[date.getDay()] ?? ""} ${MONTHS[date.getMonth()] ?? ""} ${pad(date.getDate())} ` +
    `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${micros} ` +
    `${date.getFullYear()}`
  );
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
