/** The pid file, the startup log, and the one failure that stops a running server. */
import { appendFile, rm, writeFile } from "node:fs/promises";
import type { ServerConfig } from "../config/server-config.js";

export interface PidFile {
  /** Removes the file, if it still holds our pid. */
  remove(): Promise<void>;
}

/** `--pid-file`: written once the server listens, so a control script that sees it
 *  knows the server is up; removed at exit. */
export async function writePidFile(path: string): Promise<PidFile> {
  await writeFile(path, `${process.pid}\n`);
  return { remove: () => rm(path, { force: true }) };
}

export interface FatalFailure {
  /** Resolves with the message of the first failure. */
  readonly failed: Promise<string>;
  /** The first failure's message, null while there is none. */
  readonly message: string | null;
  readonly fail: (message: string) => void;
}

/** A failure after which the server must stop: a process that could not drop root. */
export function fatalFailure(): FatalFailure {
  let settle: (message: string) => void = () => undefined;
  const state: { message: string | null } = { message: null };
  const failed = new Promise<string>((resolve) => (settle = resolve));
  return {
    failed,
    get message() {
      return state.message;
    },
    fail: (message) => {
      if (state.message !== null) return;
      state.message = message;
      settle(message);
    },
  };
}

/** Start-up output (the banner, a start-up error): to `stream`, and with `--startup-log`
 *  also to the startup log, where it outlives a terminal that is gone. */
export async function startupOutput(
  config: ServerConfig,
  stream: NodeJS.WritableStream,
  text: string,
): Promise<void> {
  stream.write(text);
  if (config.logging.startupLog !== null) await appendFile(config.logging.startupLog, text);
}
