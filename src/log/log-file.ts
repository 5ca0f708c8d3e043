/**
 * One log file, appended to; with `--rotate-logs`, rotated past `--max-log-size` by
 * rotating-file-stream (a maintained package, rather than a hand-written copy of Apache's
 * rotatelogs). Rotated files get rotatelogs' `.%Y-%m-%d-%H_%M_%S` suffix, plus `.N`
 * when several rotations fall in one second.
 */
import { createWriteStream } from "node:fs";
import { basename, dirname } from "node:path";
import type { Writable } from "node:stream";

/** How long closing a log may wait for its last lines to be flushed. */
const CLOSE_TIMEOUT_MS = 2000;

export interface LogFile {
  readonly stream: Writable;
  /** Flushes what was written and closes the file. */
  close(): Promise<void>;
}

/** Opens `path` for appending; resolves once it is open, rejects if it cannot be. */
export async function openLogFile(path: string, rotateBytes: number | null): Promise<LogFile> {
  const stream: Writable =
    rotateBytes === null
      ? createWriteStream(path, { flags: "a" })
      : // Imported only with --rotate-logs: a front end without it does not carry it.
        (await import("rotating-file-stream")).createStream(rotatedName(basename(path)), {
          path: dirname(path),
          size: `${Math.max(1, Math.round(rotateBytes))}B`,
        });
  await new Promise<void>((resolve, reject) => {
    stream.once("open", () => {
      resolve();
    });
    stream.once("error", reject);
  });
  return {
    stream,
    close: () =>
      new Promise<void>((resolve) => {
        if (stream.writableFinished || stream.destroyed) {
          resolve();
          return;
        }
        const done = (): void => {
          resolve();
        };
        stream.once("finish", done);
        stream.once("close", done);
        stream.once("error", done);
        // A log that cannot flush (a full disk, a rotation that never completes) must
        // not keep the server from exiting.
        setTimeout(done, CLOSE_TIMEOUT_MS).unref();
        stream.end();
      }),
  };
}

/** rotating-file-stream's name generator: the live name for null, else a suffixed one. */
export function rotatedName(name: string): (time: number | Date | null, index?: number) => string {
  return (time, index) => {
    if (time === null) return name;
    const at = typeof time === "number" ? new Date(time) : time;
    const two = (n: number): string => String(n).padStart(2, "0");
    const stamp =
      `${at.getFullYear()}-${two(at.getMonth() + 1)}-${two(at.getDate())}-` +
      `${two(at.getHours())}_${two(at.getMinutes())}_${two(at.getSeconds())}`;
    return index !== undefined && index > 1 ? `${name}.${stamp}.${index}` : `${name}.${stamp}`;
  };
}
