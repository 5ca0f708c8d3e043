/**
 * Embedded mode's recycle rules, watched inside each worker: daemon mode's own rules
 * (lifecycle/recycle-policy.ts: --maximum-requests, --restart-interval, --memory-limit,
 * --inactivity-timeout, and --cpu-time-limit on the worker's own CPU time) and its
 * --interrupt-timeout rule (lifecycle/stuck-thread.ts). The worker does not act on a
 * verdict: it asks the primary, once, for a graceful replacement (worker-set.ts), as a
 * daemon asks its front end with a RECYCLE frame. Clock and timers are parameters.
 */
import type { ServerConfig } from "../config/server-config.js";
import { recycleLimits } from "../lifecycle/process-checks.js";
import { recycleReason, type RecycleLimits } from "../lifecycle/recycle-policy.js";
import { whenStuck, type ThreadChannel } from "../lifecycle/stuck-thread.js";
import { CHECK_MS } from "../lifecycle/supervisor.js";
import type { TimerHandle, Timers } from "../process/timers.js";

/** What the rules read of the worker's requests (embedded-pool.ts keeps them). */
export interface WorkerActivity {
  readonly requests: number;
  readonly activeRequests: number;
  readonly lastActivity: number | null;
}

/** What the rules read of the process; read only when a rule needs it. */
export interface WorkerUsage {
  rssBytes(): number | null;
  cpuMs(): number;
}

export const processUsage: WorkerUsage = {
  rssBytes: () => process.memoryUsage.rss(),
  cpuMs: () => {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1000;
  },
};

export class RecycleWatch {
  private readonly limits: RecycleLimits;
  private startedAt = 0;
  private tick: TimerHandle | undefined;
  private asked = false;

  constructor(
    private readonly config: ServerConfig,
    private readonly activity: WorkerActivity,
    private readonly usage: WorkerUsage,
    private readonly timers: Timers,
    /** Asks for this worker's replacement, for `reason` (a process_stopping reason). */
    private readonly onDue: (reason: string) => void,
  ) {
    this.limits = {
      ...recycleLimits(config),
      cpuTimeLimitMs: config.daemons.cpuTimeLimit * 1000,
    };
  }

  /** The worker serves from now on: the clock of --restart-interval starts. */
  start(): void {
    this.startedAt = this.timers.now();
    const { restartIntervalMs, memoryLimit, inactivityMs, cpuTimeLimitMs } = this.limits;
    if (restartIntervalMs + memoryLimit + inactivityMs + (cpuTimeLimitMs ?? 0) === 0) return;
    this.tick = this.timers.setInterval(() => {
      this.check();
    }, CHECK_MS);
    this.tick.unref();
  }

  stop(): void {
    this.timers.clearInterval(this.tick);
    this.tick = undefined;
  }

  /** --maximum-requests, checked as each request ends. */
  afterRequest(): void {
    const max = this.limits.maximumRequests;
    if (max > 0 && this.activity.requests >= max) this.ask("maximum_requests");
  }

  /** A request passed --request-timeout and its thread was interrupted. */
  timedOut(channel: ThreadChannel): void {
    whenStuck(channel, this.config.daemons.interruptTimeout, this.timers, () => {
      this.ask("request_timeout");
    });
  }

  /** Asks for a replacement, once: the worker is on its way out after that. */
  ask(reason: string): void {
    if (this.asked) return;
    this.asked = true;
    this.stop();
    this.onDue(reason);
  }

  private check(): void {
    const { memoryLimit, cpuTimeLimitMs } = this.limits;
    const stats = {
      startedAt: this.startedAt,
      requests: this.activity.requests,
      active: this.activity.activeRequests,
      lastActivity: this.activity.lastActivity,
      rssBytes: memoryLimit > 0 ? this.usage.rssBytes() : null,
      cpuMs: (cpuTimeLimitMs ?? 0) > 0 ? this.usage.cpuMs() : null,
    };
    const reason = recycleReason(stats, this.limits, this.timers.now());
    if (reason !== null) this.ask(reason);
  }
}
