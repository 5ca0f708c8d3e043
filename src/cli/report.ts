/** How the CLI reports failures and warnings: one line each on stderr, never a stack. */
import { isWsgiExpressError } from "../errors.js";

const PROGRAM = "wsgi-express";

/** Writes one line for `error` and returns the exit status it calls for. */
export function reportError(error: unknown, stderr: NodeJS.WritableStream): number {
  if (isWsgiExpressError(error) && error.code !== "WSGIX_ERR_INTERNAL") {
    stderr.write(`${PROGRAM}: error: ${oneLine(error.message)}\n`);
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  stderr.write(`${PROGRAM}: internal error: ${oneLine(message)}\n`);
  return 1;
}

/** One warning line naming the options; nothing when there are none. */
export function warnAbout(
  stderr: NodeJS.WritableStream,
  what: string,
  options: readonly string[],
): void {
  if (options.length > 0) stderr.write(`${PROGRAM}: warning: ${what}: ${options.join(", ")}\n`);
}

/** One warning line. */
export function warn(stderr: NodeJS.WritableStream, message: string): void {
  stderr.write(`${PROGRAM}: warning: ${oneLine(message)}\n`);
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, " ").trim();
}
