/**
 * Renders one error log line through a parsed `--error-log-format` (the items of
 * src/config/error-log-format.ts), following Apache's server/log.c: an empty item drops
 * its field (back to the last separator, and the rest of the field up to the next one),
 * `-` writes `-` instead, `+` drops the whole line, a digit skips the item below that
 * level of verbosity.
 */
import type { ErrorLogItem } from "../config/error-log-format.js";
import { LOG_LEVELS, type LogLevel } from "../log-levels.js";
import { compactLogTime, ctimeLogTime, errorLogTime } from "./apache-time.js";

export interface ErrorLogEntry {
  /** Microseconds since the epoch. */
  readonly micros: number;
  readonly level: LogLevel;
  readonly pid: number;
  readonly message: string;
}

/** The line without its newline, or null when a `+` item came out empty. */
export function renderErrorLogLine(
  items: readonly ErrorLogItem[],
  entry: ErrorLogEntry,
): string | null {
  let line = "";
  let fieldStart = 0;
  let skipping = false;
  for (const item of items) {
    if (item.kind === "separator") {
      line += item.text;
      fieldStart = line.length;
      skipping = false;
      continue;
    }
    if (skipping) continue;
    if (item.kind === "text") {
      line += item.text;
      continue;
    }
    const value = itemValue(item, entry);
    if (value !== "") {
      line += value;
    } else if (item.required) {
      return null;
    } else if (item.hyphen) {
      line += "-";
    } else {
      line = line.slice(0, fieldStart);
      skipping = true;
    }
  }
  return line;
}

type Item = Extract<ErrorLogItem, { kind: "item" }>;

function itemValue(item: Item, entry: ErrorLogEntry): string {
  if (item.minLevel !== null && LOG_LEVELS.indexOf(entry.level) < item.minLevel) return "";
  switch (item.letter) {
    case "t":
      return timeValue(item.argument, entry.micros);
    case "l":
      return entry.level;
    case "m":
      // Every line of ours is mod_wsgi's: `[wsgi:error]` in the default format.
      return "wsgi";
    case "M":
      return entry.message;
    case "P":
      return String(entry.pid);
    default:
      // A request's or connection's item (%a, %L, %{name}i ...), %F, %E and %T: the
      // lines are not written from inside a request, nor by a C source line.
      return "";
  }
}

function timeValue(argument: string | null, micros: number): string {
  if (argument === "u") return errorLogTime(micros);
  if (argument === "cu") return compactLogTime(micros, true);
  if (argument === "c") return compactLogTime(micros, false);
  return ctimeLogTime(micros);
}
