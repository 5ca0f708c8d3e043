/** Where the CLI's output goes; tests drive the CLI in-process with their own streams. */
export interface CliIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
}
