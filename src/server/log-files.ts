/** Where the error and access logs go: files in the log directory, or the terminal. */
import { join } from "node:path";
import type { Writable } from "node:stream";
import type { ServerConfig } from "../config/server-config.js";
import type { LogSink } from "../log/error-log.js";
import { openLogFile, type LogFile } from "../log/log-file.js";
import type { CliIo } from "./run-server.js";

export interface OpenLogs {
  readonly error: LogSink;
  readonly access: LogSink | null;
  readonly errorPath: string;
  readonly accessPath: string | null;
  close(): Promise<void>;
}

export async function openLogs(config: ServerConfig, io: CliIo): Promise<OpenLogs> {
  const { logging } = config;
  if (logging.logToTerminal) {
    // mod_wsgi-express: error log to stderr, access log to stdout.
    return {
      error: io.stderr,
      access: logging.accessLog ? io.stdout : null,
      errorPath: "/dev/stderr",
      accessPath: logging.accessLog ? "/dev/stdout" : null,
      close: () => Promise.resolve(),
    };
  }
  const errorPath = join(logging.logDirectory, logging.errorLogName);
  const accessPath = logging.accessLog ? join(logging.logDirectory, logging.accessLogName) : null;
  const files: LogFile[] = [];
  const open = async (path: string): Promise<Writable> => {
    const file = await openLogFile(path, logging.rotateBytes);
    files.push(file);
    return file.stream;
  };
  const error = await open(errorPath);
  const access = accessPath ? await open(accessPath) : null;
  return {
    error,
    access,
    errorPath,
    accessPath,
    close: () => Promise.all(files.map((file) => file.close())).then(() => undefined),
  };
}
