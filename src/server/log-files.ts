/** Where the error and access logs go: files in the log directory, or the terminal. */
import { createWriteStream, type WriteStream } from "node:fs";
import { join } from "node:path";
import type { ServerConfig } from "../config/server-config.js";
import type { LogSink } from "../log/error-log.js";
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
  const files: WriteStream[] = [];
  const open = async (path: string): Promise<WriteStream> => {
    const stream = createWriteStream(path, { flags: "a" });
    await new Promise<void>((resolve, reject) => {
      stream.once("open", () => {
        resolve();
      });
      stream.once("error", reject);
    });
    files.push(stream);
    return stream;
  };
  const error = await open(errorPath);
  const access = accessPath ? await open(accessPath) : null;
  return {
    error,
    access,
    errorPath,
    accessPath,
    close: () =>
      Promise.all(files.map((f) => new Promise<void>((resolve) => f.end(resolve)))).then(
        () => undefined,
      ),
  };
}
