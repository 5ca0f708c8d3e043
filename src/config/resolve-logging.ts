/** The error and access logs: where they go, their level and format. */
import { resolve } from "node:path";
import { optionError } from "../errors.js";
import type { ResolveContext } from "./context.js";
import type { OptionReader } from "./option-reader.js";
import type { LogLevel, LoggingConfig } from "./server-config.js";

/** mod_wsgi-express writes the `common` format when --access-log-format is not given. */
const DEFAULT_ACCESS_LOG_FORMAT = "common";

export function resolveLogging(
  options: OptionReader,
  serverRoot: string,
  context: ResolveContext,
): LoggingConfig {
  const directory = options.optionalString("log-directory");
  return {
    logDirectory: directory === null ? serverRoot : resolve(context.cwd, directory),
    // Per mod_wsgi-express, an explicit --log-directory cancels --log-to-terminal.
    logToTerminal: options.flag("log-to-terminal") && directory === null,
    // The table's choice list is LOG_LEVELS, so the parser let only those through.
    logLevel: options.string("log-level") as LogLevel,
    accessLog: options.flag("access-log"),
    accessLogFormat: options.optionalString("access-log-format") ?? DEFAULT_ACCESS_LOG_FORMAT,
    errorLogName: fileName(options, "error-log-name"),
    accessLogName: fileName(options, "access-log-name"),
  };
}

function fileName(options: OptionReader, name: string): string {
  const value = options.string(name);
  if (value.trim() === "")
    throw optionError("WSGIX_ERR_OPTION_VALUE", `--${name}`, "a file name", value);
  return value;
}
