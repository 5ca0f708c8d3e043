/**
 * The error log: daemon output, wsgi.errors, tracebacks and lifecycle lines, in
 * Apache's error log shape so that `[wsgi:error] [pid N]` greps keep working.
 */
import { LOG_LEVELS, type LogLevel } from "../log-levels.js";
import type { ErrorLogItem } from "../config/error-log-format.js";
import { epochMicros, errorLogTime } from "./apache-time.js";
import { renderErrorLogLine } from "./error-log-format.js";

export interface LogSink {
  write(line: string): unknown;
}

export class ErrorLog {
  private readonly threshold: number;

  constructor(
    private readonly sink: LogSink,
    level: LogLevel,
    /** Microseconds since the epoch. */
    private readonly now: () => number = epochMicros,
    /** `--error-log-format`, parsed; null: Apache's default shape, written directly. */
    private readonly format: readonly ErrorLogItem[] | null = null,
  ) {
    this.threshold = LOG_LEVELS.indexOf(level);
  }

  enabled(level: LogLevel): boolean {
    return LOG_LEVELS.indexOf(level) <= this.threshold;
  }

  /** One entry; a multi-line message (a traceback) keeps its lines under one prefix each. */
  log(level: LogLevel, message: string, pid: number = process.pid): void {
    if (!this.enabled(level)) return;
    if (this.format !== null) {
      this.formatted(level, pid, message.replace(/\n+$/, "").split("\n"));
      return;
    }
    const prefix = `[${errorLogTime(this.now())}] [wsgi:${level}] [pid ${pid}] `;
    const lines = message.replace(/\n+$/, "").split("\n");
    this.sink.write(lines.map((line) => prefix + line + "\n").join(""));
  }

  /**
   * Output a daemon wrote to stdout/stderr. mod_wsgi logs it at error level whatever the
   * LogLevel, because it is the app's own output (print, tracebacks, wsgi.errors).
   */
  daemonOutput(pid: number, line: string): void {
    if (this.format !== null) {
      this.formatted("error", pid, [line]);
      return;
    }
    this.sink.write(`[${errorLogTime(this.now())}] [wsgi:error] [pid ${pid}] ${line}\n`);
  }

  private formatted(level: LogLevel, pid: number, lines: readonly string[]): void {
    const micros = this.now();
    let text = "";
    for (const message of lines) {
      const line = renderErrorLogLine(this.format ?? [], { micros, level, pid, message });
      if (line !== null) text += line + "\n";
    }
    if (text !== "") this.sink.write(text);
  }

  error(message: string): void {
    this.log("error", message);
  }
  warn(message: string): void {
    this.log("warn", message);
  }
  notice(message: string): void {
    this.log("notice", message);
  }
  info(message: string): void {
    this.log("info", message);
  }
}
