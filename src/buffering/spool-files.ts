/**
 * The request spool's files (request-spool.ts), kept open and used again. A file keeps
 * its pages between bodies, so writing a body over an old one and reading it back costs
 * about a third of doing it in a new file, whose pages the kernel must allocate and then
 * free when it is unlinked and closed (bench/PROFILE.md, "Seventh pass").
 *
 * Each file is unlinked as soon as it is open, so nothing is left behind, even by a
 * crash; and a file is private to one body at a time. Kept files are closed once no body
 * has come for a while, so a burst long over holds no disk.
 */
import { mkdir, open, unlink, type FileHandle } from "node:fs/promises";
import { join } from "node:path";

/** Idle files kept, and the largest kept: at most 64 MiB of disk held between bursts. */
const KEEP_FILES = 32;
const KEEP_SIZE = 2 * 1024 * 1024;
/** Quiet this long (no file taken or given): the kept files are closed. */
const IDLE_CLOSE_MS = 30_000;

export interface SpoolFile {
  readonly handle: FileHandle;
  /** Bytes the file holds: the most any body has written to it. */
  size: number;
}

export interface SpoolFileSource {
  take(): Promise<SpoolFile>;
  /** Back once nothing reads or writes it any more; `reusable` false: it failed. */
  give(file: SpoolFile, reusable: boolean): void;
}

export class SpoolFiles implements SpoolFileSource {
  private readonly idle: SpoolFile[] = [];
  private made = 0;
  private quiet: NodeJS.Timeout | null = null;

  constructor(
    private readonly directory: string,
    private readonly keep = KEEP_FILES,
    private readonly keepSize = KEEP_SIZE,
    private readonly idleCloseMs = IDLE_CLOSE_MS,
  ) {}

  /** Files kept for the next bodies. */
  get idleCount(): number {
    return this.idle.length;
  }

  async take(): Promise<SpoolFile> {
    this.quiet?.refresh();
    return this.idle.pop() ?? { handle: await this.create(), size: 0 };
  }

  give(file: SpoolFile, reusable: boolean): void {
    if (reusable && this.idle.length < this.keep && file.size <= this.keepSize) {
      this.idle.push(file);
      this.closeWhenQuiet();
      return;
    }
    file.handle.close().catch(() => undefined);
  }

  /** Closes the idle files. */
  close(): void {
    if (this.quiet) clearTimeout(this.quiet);
    this.quiet = null;
    for (const file of this.idle.splice(0)) file.handle.close().catch(() => undefined);
  }

  private closeWhenQuiet(): void {
    if (this.quiet) {
      this.quiet.refresh();
      return;
    }
    this.quiet = setTimeout(() => {
      this.close();
    }, this.idleCloseMs);
    // Never what keeps the server alive.
    this.quiet.unref();
  }

  private async create(): Promise<FileHandle> {
    this.made += 1;
    const path = join(this.directory, `${String(process.pid)}.${String(this.made)}`);
    const handle = await open(path, "wx+", 0o600).catch(async (error: unknown) => {
      // Made at start-up; a /tmp cleaner may remove it from a server idle for days.
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      await mkdir(this.directory).catch((made: unknown) => {
        // Another body's file made it first.
        if ((made as NodeJS.ErrnoException).code !== "EEXIST") throw made;
      });
      return open(path, "wx+", 0o600);
    });
    await unlink(path).catch(async (error: unknown) => {
      await handle.close();
      throw error;
    });
    return handle;
  }
}
