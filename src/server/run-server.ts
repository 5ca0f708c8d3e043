import type { ServerConfig } from "../config/server-config.js";

/** Where the CLI's output goes; tests drive the CLI in-process with their own streams. */
export interface CliIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
}

/**
 * Serves until a stop signal; resolves with the process exit status.
 * Placeholder until the front end lands: the CLI work depends only on this signature.
 */
export function runServer(_config: ServerConfig, _io: CliIo): Promise<number> {
  return Promise.reject(new Error("runServer is not implemented yet"));
}
