/**
 * Whether the daemons can open the front end's spool files (request-spool.ts) by their
 * /proc/PID/fd paths, and so read a spooled body from its file instead of having the
 * front end read it back and send it through their sockets. That takes Linux, and a
 * daemon running as the front end's user (not dropped to --user).
 *
 * Each daemon tries to open the path given here (the spool directory, held open) before
 * its threads connect, and says in their HELLOs whether it could.
 */
import { open, type FileHandle } from "node:fs/promises";

export class BodyFileProbe {
  private constructor(private readonly directory: FileHandle) {}

  /** Null where no daemon could do it: no spool, not Linux, or the directory is not
   *  there to open. */
  static async open(spoolDirectory: string, spoolSize: number): Promise<BodyFileProbe | null> {
    if (spoolSize <= 0 || process.platform !== "linux") return null;
    try {
      return new BodyFileProbe(await open(spoolDirectory, "r"));
    } catch {
      return null;
    }
  }

  get path(): string {
    return procPath(this.directory);
  }

  async close(): Promise<void> {
    await this.directory.close();
  }
}

/** The path another process of the same user opens `file` by, unlinked or not. */
export function procPath(file: FileHandle): string {
  return `/proc/${String(process.pid)}/fd/${String(file.fd)}`;
}
