/** The error and access logs: where they go, their level and format. */
import { join, resolve } from "node:path";
import { optionError } from "../errors.js";
import type { ResolveContext } from "./context.js";
import type { OptionReader } from "./option-reader.js";
import type { LogLevel } from "../log-levels.js";
import type { LoggingConfig } from "./server-config.js";
import { parseErrorLogFormat } from "./error-log-format.js";

/** mod_wsgi-express writes the `common` format when --access-log-format is not given. */
const DEFAULT_ACCESS_LOG_FORMAT = "common";
const MEGABYTE = 1024 * 1024;

export function resolveLogging(
  options: OptionReader,
  serverRoot: string,
  context: ResolveContext,
): LoggingConfig {
  const directory = options.optionalString("log-directory");
  const logDirectory = directory === null ? serverRoot : resolve(context.cwd, directory);
  // Per mod_wsgi-express, an explicit --log-directory cancels --log-to-terminal.
  const logToTerminal = options.flag("log-to-terminal") && directory === null;
  return {
    logDirectory,
    logToTerminal,
    // The table's choice list is LOG_LEVELS, so the parser let only those through.
    logLevel: options.string("log-level") as LogLevel,
    accessLog: options.flag("access-log"),
    accessLogFormat: options.optionalString("access-log-format") ?? DEFAULT_ACCESS_LOG_FORMAT,
    errorLogName: fileName(options, "error-log-name"),
    accessLogName: fileName(options, "access-log-name"),
    startupLog: options.flag("startup-log")
      ? join(logDirectory, fileName(options, "startup-log-name"))
      : null,
    // mod_wsgi-express: logging to the terminal disables rotation.
    rotateBytes:
      options.flag("rotate-logs") && !logToTerminal
        ? options.number("max-log-size") * MEGABYTE
        : null,
    errorLogFormat: errorLogFormat(options.optionalString("error-log-format")),
  };
}

function errorLogFormat(format: string | null): LoggingConfig["errorLogFormat"] {
  return format === null ? null : parseErrorLogFormat(format);
}

function fileName(options: OptionReader, name: string): string {
  const value = options.string(name);
  if (value.trim() === "")
    throw optionError("WSGIX_ERR_OPTION_VALUE", `--${name}`, "a file name", value);
  return value;
}
