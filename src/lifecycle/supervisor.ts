/**
 * The pool's clock-driven checks: start-up deadline, deadlock (heartbeat silence), the
 * recycle rules (src/lifecycle/recycle-policy.ts), WSGI script reloading, and the queue's
 * --queue-timeout / --connect-timeout sweep. Decisions are pure; this only gathers
 * the inputs and acts through the pool.
 */
import { stat } from "node:fs/promises";
import type { ServerConfig } from "../config/server-config.js";
import type { ErrorLog } from "../log/error-log.js";
import type { DaemonProcess } from "./daemon-process.js";
import { readRss } from "./proc-stats.js";
import { countsAsActivity, recycleReason, type RecycleLimits } from "./recycle-policy.js";
import type { WorkerChannel } from "../daemon/worker-channel.js";

const QUEUE_SWEEP_MS = 250;
const CHECK_MS = 1000;

/** What the supervisor needs of the daemon pool: it reads the processes and acts through
 *  these, and nothing else. */
export interface SupervisedPool {
  readonly serving: readonly DaemonProcess[];
  readonly anyReady: boolean;
  /** Answers the queued requests nothing can serve in time (--queue-timeout, and
   *  --connect-timeout while no daemon is ready: `unservedMs`). */
  expireWaiting(unservedMs: number): void;
  /** Replaces a process gracefully, for `reason` (a process_stopping reason). */
  recycle(daemon: DaemonProcess, reason: string, drainSeconds?: number): void;
  restartAll(reason: string, drainSeconds: number): void;
  /** Kills a process that cannot be replaced gracefully. */
  discard(daemon: DaemonProcess, reason: string): void;
}

export class Supervisor {
  private readonly limits: RecycleLimits;
  private readonly timers: NodeJS.Timeout[] = [];
  private scriptMtime: number | null = null;
  private checking = false;

  constructor(
    private readonly config: ServerConfig,
    private readonly log: ErrorLog,
    private readonly pool: SupervisedPool,
    private readonly now: () => number,
  ) {
    const { daemons } = config;
    this.limits = {
      maximumRequests: daemons.maximumRequests,
      restartIntervalMs: daemons.restartInterval * 1000,
      inactivityMs: daemons.inactivityTimeout * 1000,
      memoryLimit: daemons.memoryLimit,
    };
  }

  start(): void {
    const unservedMs = this.config.daemons.connectTimeout * 1000;
    const sweep = setInterval(() => {
      this.pool.expireWaiting(this.pool.anyReady ? 0 : unservedMs);
    }, QUEUE_SWEEP_MS);
    const check = setInterval(() => {
      void this.check();
    }, CHECK_MS);
    for (const timer of [sweep, check]) {
      timer.unref();
      this.timers.push(timer);
    }
    void this.readScriptMtime().then((mtime) => (this.scriptMtime = mtime));
  }

  stop(): void {
    for (const timer of this.timers.splice(0)) clearInterval(timer);
  }

  countsAsActivity(path: string): boolean {
    return countsAsActivity(path, this.config.daemons.ignoreActivity);
  }

  /** --startup-timeout: a process must have loaded the app by then, or it is replaced
   *  (mod_wsgi restarts it too, for apps that cannot retry their start-up in-process). */
  watchStartup(daemon: DaemonProcess): void {
    const seconds = this.config.daemons.startupTimeout;
    if (seconds <= 0) return;
    const timer = setTimeout(() => {
      if (daemon.exited || daemon.app?.loaded === true) return;
      if (daemon.app === null) {
        this.pool.discard(
          daemon,
          `did not load the application within ${seconds}s (--startup-timeout)`,
        );
      } else {
        this.log.error(
          `daemon process ${daemon.pid} has no application after ${seconds}s (--startup-timeout); restarting it`,
        );
        daemon.stop(this.config.daemons.shutdownTimeout, "startup_timeout");
      }
    }, seconds * 1000);
    timer.unref();
    daemon.child.once("exit", () => {
      clearTimeout(timer);
    });
  }

  /** Interrupts the thread running request `id` (past --request-timeout); recycles the
   *  process if the thread has not ended that request within --interrupt-timeout. */
  interrupt(daemon: DaemonProcess, channel: WorkerChannel, id: string): void {
    channel.stale = true;
    daemon.control?.interrupt(id);
    const serial = channel.serial;
    const recycleIfStuck = (): void => {
      if (channel.busy && channel.serial === serial && !channel.isClosed) {
        this.pool.recycle(daemon, "request_timeout");
      }
    };
    const grace = this.config.daemons.interruptTimeout;
    if (grace === 0) recycleIfStuck();
    else setTimeout(recycleIfStuck, grace * 1000).unref();
  }

  /** --maximum-requests, checked as each request ends. */
  afterRequest(daemon: DaemonProcess): void {
    const max = this.limits.maximumRequests;
    if (max > 0 && daemon.requests >= max) this.pool.recycle(daemon, "maximum_requests");
  }

  private async check(): Promise<void> {
    if (this.checking) return;
    this.checking = true;
    try {
      for (const daemon of this.pool.serving) await this.checkProcess(daemon);
      await this.checkScript();
    } finally {
      this.checking = false;
    }
  }

  private async checkProcess(daemon: DaemonProcess): Promise<void> {
    if (daemon.app === null || daemon.retiring !== null || daemon.stopping) return;
    const now = this.now();
    const deadlockMs = this.config.daemons.deadlockTimeout * 1000;
    if (deadlockMs > 0 && now - daemon.lastHeartbeat > deadlockMs) {
      this.pool.discard(
        daemon,
        `no heartbeat for ${deadlockMs / 1000}s, the Python GIL looks deadlocked (--deadlock-timeout)`,
      );
      return;
    }
    const rssBytes = this.limits.memoryLimit > 0 ? await readRss(daemon.pid) : null;
    const { startedAt, requests, lastActivity } = daemon;
    const stats = { startedAt, requests, lastActivity, active: daemon.activeRequests, rssBytes };
    const reason = recycleReason(stats, this.limits, this.now());
    if (reason === "memory_limit" && rssBytes !== null) {
      this.log.notice(
        `daemon process ${daemon.pid} uses ${rssBytes} bytes of memory (RSS), over --memory-limit ${this.limits.memoryLimit}`,
      );
    }
    if (reason !== null) this.pool.recycle(daemon, reason);
  }

  /** mod_wsgi's script reloading: the script file's mtime changed (either way). */
  private async checkScript(): Promise<void> {
    if (!this.config.daemons.scriptReloading || this.scriptMtime === null) return;
    const mtime = await this.readScriptMtime();
    if (mtime === null || mtime === this.scriptMtime) return;
    this.scriptMtime = mtime;
    this.log.notice(
      `WSGI script file ${this.config.application.entryPoint ?? ""} changed; restarting the daemon processes gracefully`,
    );
    this.pool.restartAll("script_reload", this.config.daemons.gracefulTimeout);
  }

  private async readScriptMtime(): Promise<number | null> {
    const { application } = this.config;
    if (application.type !== "script" || application.entryPoint === null) return null;
    try {
      return (await stat(application.entryPoint)).mtimeMs;
    } catch {
      return null;
    }
  }
}
