/**
 * The document root's top-level names, read again at most once a second. A request whose
 * first path segment is not among them cannot be a file there, so it goes to the
 * application without touching the disk: mod_wsgi-express's "file, else the app" rule
 * then costs nothing per request for the (usually empty) document root, where a stat
 * through libuv's thread pool cost about 100 us of CPU per request (bench, hello).
 * A file added to the root is served within a second.
 */
import { readdir } from "node:fs/promises";

export const LISTING_MAX_AGE_MS = 1000;

export class RootListing {
  private names: ReadonlySet<string> | null = null;
  private readAt = -Infinity;
  private reading: Promise<void> | null = null;

  constructor(
    private readonly root: string,
    private readonly now: () => number = () => performance.now(),
    private readonly maxAgeMs = LISTING_MAX_AGE_MS,
  ) {}

  /** False: certainly not in the root. True: perhaps (look on the disk). Synchronous
   *  while the listing is fresh. */
  mayContain(name: string): boolean | Promise<boolean> {
    if (this.names !== null && this.now() - this.readAt < this.maxAgeMs) {
      return this.names.has(name);
    }
    return this.refresh().then(() => this.names?.has(name) ?? true);
  }

  private refresh(): Promise<void> {
    this.reading ??= readdir(this.root)
      .then(
        (entries) => {
          this.names = new Set(entries);
        },
        () => {
          // Unreadable or missing: no shortcut; every request looks on the disk.
          this.names = null;
        },
      )
      .finally(() => {
        this.readAt = this.now();
        this.reading = null;
      });
    return this.reading;
  }
}
