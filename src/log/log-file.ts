/**
 * One log file, appended to; with `--rotate-logs`, rotated past `--max-log-size` by
 * rotating-file-stream (a maintained package, rather than a hand-written copy of Apache's
 * rotatelogs). Rotated files get rotatelogs' `.%Y-%m-%d-%H_%M_%S` suffix, plus `.N`
 * when several rotations fall in one second.
 */
import { createWriteStream } from "node:fs";
import { basename, dirname } from "node:path";
import type { Writable } from "node:stream";
import { createStream } from "rotating-file-stream";

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
      : createStream(rotatedName(basename(path)), {
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
        stream.end(resolve);
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
