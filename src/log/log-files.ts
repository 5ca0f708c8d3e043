/** Where the error and access logs go: files in the log directory, or the terminal. */
import { join } from "node:path";
import type { Writable } from "node:stream";
import type { ServerConfig } from "../config/server-config.js";
import { WsgiExpressError } from "../errors.js";
import type { LogSink } from "./error-log.js";
import { openLogFile, type LogFile } from "./log-file.js";
import type { CliIo } from "../cli-io.js";

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
  const open = async (what: string, path: string): Promise<LogSink> => {
    const file = await openOrExplain(what, path, logging.rotateBytes);
    files.push(file);
    return guardWrites(file.stream, `${what} ${path}`, io.stderr);
  };
  const close = (): Promise<void> =>
    Promise.all(files.map((file) => file.close())).then(() => undefined);
  const error = await open("error log", errorPath);
  let access: LogSink | null;
  try {
    access = accessPath ? await open("access log", accessPath) : null;
  } catch (failure) {
    await close();
    throw failure;
  }
  return { error, access, errorPath, accessPath, close };
}

async function openOrExplain(
  what: string,
  path: string,
  rotateBytes: number | null,
): Promise<LogFile> {
  try {
    return await openLogFile(path, rotateBytes);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new WsgiExpressError(
      "WSGIX_ERR_LOG_FILE",
      `--log-directory: cannot open the ${what} ${path} for writing: ${reason}`,
      { cause: error },
    );
  }
}

/**
 * A log that fails at run time (a full disk, EIO, a revoked permission) must not stop the
 * server (issue #7): the first failure is reported once on stderr and later lines are
 * dropped, since the stream is unusable once it has failed.
 */
export function guardWrites(stream: Writable, name: string, stderr: LogSink): LogSink {
  let failed = false;
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (failed) return;
    failed = true;
    const reason = error.code ?? error.message;
    stderr.write(`wsgi-express: ${name}: write failed: ${reason}; further log lines are dropped\n`);
  });
  return {
    write: (line: string) => (failed ? false : stream.write(line)),
  };
}
