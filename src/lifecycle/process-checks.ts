/**
 * The once-a-second checks of one daemon process (deadlock, the recycle rules of
 * recycle-policy.ts) and of the WSGI script file (mod_wsgi's script reloading). They
 * only decide; the supervisor (supervisor.ts) acts on what they say.
 */
import { stat } from "node:fs/promises";
import type { ServerConfig } from "../config/server-config.js";
import type { ErrorLog } from "../log/error-log.js";
import type { DaemonProcess } from "./daemon-process.js";
import { recycleReason, type RecycleLimits } from "./recycle-policy.js";

export type Verdict =
  | { readonly action: "discard"; readonly why: string }
  | { readonly action: "recycle"; readonly reason: string }
  | null;

export type RssReader = (pid: number) => Promise<number | null>;

export function recycleLimits(config: ServerConfig): RecycleLimits {
  const { daemons } = config;
  return {
    maximumRequests: daemons.maximumRequests,
    restartIntervalMs: daemons.restartInterval * 1000,
    inactivityMs: daemons.inactivityTimeout * 1000,
    memoryLimit: daemons.memoryLimit,
  };
}

export class ProcessChecks {
  constructor(
    private readonly config: ServerConfig,
    private readonly log: ErrorLog,
    private readonly limits: RecycleLimits,
    private readonly readRss: RssReader,
    private readonly now: () => number,
  ) {}

  /** What is to be done about `daemon` now, if anything. */
  async verdict(daemon: DaemonProcess): Promise<Verdict> {
    if (daemon.app === null || daemon.retiring !== null || daemon.stoppingOrGone) return null;
    const deadlockMs = this.config.daemons.deadlockTimeout * 1000;
    if (deadlockMs > 0 && this.now() - daemon.lastHeartbeat > deadlockMs) {
      const why = `no heartbeat for ${deadlockMs / 1000}s, the Python GIL looks deadlocked (--deadlock-timeout)`;
      return { action: "discard", why };
    }
    const rssBytes = this.limits.memoryLimit > 0 ? await this.readRss(daemon.pid) : null;
    const { startedAt, requests, lastActivity } = daemon;
    const stats = { startedAt, requests, lastActivity, active: daemon.activeRequests, rssBytes };
    const reason = recycleReason(stats, this.limits, this.now());
    if (reason === "memory_limit" && rssBytes !== null) {
      this.log.notice(
        `daemon process ${daemon.pid} uses ${rssBytes} bytes of memory (RSS), over --memory-limit ${this.limits.memoryLimit}`,
      );
    }
    return reason === null ? null : { action: "recycle", reason };
  }
}

/** mod_wsgi's script reloading: the script file's mtime changed (either way). */
export class ScriptWatch {
  private mtime: number | null = null;

  constructor(private readonly config: ServerConfig) {}

  /** Reads the mtime to compare later ones with. */
  async start(): Promise<void> {
    this.mtime = await this.read();
  }

  /** True once for each change of the script file's mtime. */
  async changed(): Promise<boolean> {
    if (!this.config.daemons.scriptReloading || this.mtime === null) return false;
    const mtime = await this.read();
    if (mtime === null || mtime === this.mtime) return false;
    this.mtime = mtime;
    return true;
  }

  private async read(): Promise<number | null> {
    const { application } = this.config;
    // A Paste Deploy .ini too: mod_wsgi-express's reload_required() watches its mtime.
    const watched = application.type === "script" || application.type === "paste";
    if (!watched || application.entryPoint === null) return null;
    try {
      return (await stat(application.entryPoint)).mtimeMs;
    } catch {
      return null;
    }
  }
}
