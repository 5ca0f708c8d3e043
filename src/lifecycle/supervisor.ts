/**
 * The supervisor: one loop (event-queue.ts) fed by the restart signals, two ticks (the
 * queue sweep every 250 ms, the process check every second), the daemons' exits and
 * their requests to be replaced, with one handler each. Each rule is held once here:
 * eviction (restart-signals.ts's gracefulRestart), the crash back-off
 * (respawn-backoff.ts), the recycle rules (recycle-policy.ts, through process-checks.ts).
 * It acts through the pool of processes (daemon-processes.ts) and nothing else, and
 * runs on the clock and timers it is given.
 */
import type { ServerConfig } from "../config/server-config.js";
import type { WorkerChannel } from "../daemon/worker-channel.js";
import type { ErrorLog } from "../log/error-log.js";
import type { DaemonProcess } from "./daemon-process.js";
import { EventQueue } from "./event-queue.js";
import { EXIT_PRIVILEGES } from "../process/exit-status.js";
import { ProcessChecks, recycleLimits, ScriptWatch, type RssReader } from "./process-checks.js";
import { countsAsActivity } from "./recycle-policy.js";
import { RespawnBackoff } from "../process/respawn-backoff.js";
import { gracefulRestart, restartFor, type RestartSignal } from "./restart-signals.js";
import { whenStuck } from "./stuck-thread.js";
import type { SupervisorEvent } from "./supervisor-events.js";
import type { TimerHandle, Timers } from "../process/timers.js";

export const QUEUE_SWEEP_MS = 250;
export const CHECK_MS = 1000;

/** What the supervisor needs of the daemon processes: it reads them and acts through
 *  these, and nothing else. */
export interface SupervisedPool {
  /** The processes taking requests, one per slot. */
  readonly serving: readonly DaemonProcess[];
  /** Some process has an idle or busy thread (else --connect-timeout runs). */
  readonly anyReady: boolean;
  /** The server is shutting down: nothing is restarted. */
  readonly stopping: boolean;
  /** Answers the queued requests nothing can serve in time (--queue-timeout, and
   *  --connect-timeout while no daemon is ready: `unservedMs`). */
  expireWaiting(unservedMs: number): void;
  /** Replaces a process gracefully, for `reason` (a process_stopping reason). */
  recycle(daemon: DaemonProcess, reason: string, drainSeconds?: number): void;
  restartAll(reason: string, drainSeconds: number): void;
  /** Kills a process that cannot be replaced gracefully. */
  discard(daemon: DaemonProcess, reason: string): void;
  /** An exited process is forgotten; true when it was its slot's current process. */
  forget(daemon: DaemonProcess): boolean;
  /** A process died before it reported on its app, `how` (the start-up status). */
  crashedAtStartup(how: string): void;
  spawn(index: number): void;
}

export interface SupervisorOptions {
  readonly timers: Timers;
  readonly readRss: RssReader;
  /** A daemon must not be restarted (EXIT_PRIVILEGES): the server stops. */
  readonly onFatal: (message: string) => void;
}

type Tick = "sweep" | "check";

export class Supervisor {
  private readonly loop: EventQueue<SupervisorEvent>;
  private readonly backoff = new RespawnBackoff();
  private readonly checks: ProcessChecks;
  private readonly script: ScriptWatch;
  private readonly timers: Timers;
  private readonly intervals: TimerHandle[] = [];
  /** Ticks queued or being handled: a tick that comes meanwhile is skipped. */
  private readonly ticking = new Set<Tick>();

  constructor(
    private readonly config: ServerConfig,
    private readonly log: ErrorLog,
    private readonly pool: SupervisedPool,
    private readonly options: SupervisorOptions,
  ) {
    this.timers = options.timers;
    const now = (): number => this.timers.now();
    this.checks = new ProcessChecks(config, log, recycleLimits(config), options.readRss, now);
    this.script = new ScriptWatch(config);
    this.loop = new EventQueue(
      (event) => this.handle(event),
      (error) => {
        log.error(`supervisor: ${(error as Error).stack ?? String(error)}`);
      },
    );
  }

  post(event: SupervisorEvent): void {
    this.loop.post(event);
  }

  /** No event is being handled nor waiting. */
  get idle(): boolean {
    return !this.loop.busy;
  }

  start(): void {
    for (const [tick, ms] of [
      ["sweep", QUEUE_SWEEP_MS],
      ["check", CHECK_MS],
    ] as const) {
      const timer = this.timers.setInterval(() => {
        if (this.ticking.has(tick)) return;
        this.ticking.add(tick);
        this.post({ type: tick });
      }, ms);
      timer.unref();
      this.intervals.push(timer);
    }
    void this.script.start();
  }

  stop(): void {
    for (const timer of this.intervals.splice(0)) this.timers.clearInterval(timer);
  }

  countsAsActivity(path: string): boolean {
    return countsAsActivity(path, this.config.daemons.ignoreActivity);
  }

  /** --startup-timeout: a process must have loaded the app by then, or it is replaced
   *  (mod_wsgi restarts it too, for apps that cannot retry their start-up in-process). */
  watchStartup(daemon: DaemonProcess): void {
    const seconds = this.config.daemons.startupTimeout;
    if (seconds <= 0) return;
    const timer = this.timers.setTimeout(() => {
      this.post({ type: "startup-timeout", daemon });
    }, seconds * 1000);
    timer.unref();
    daemon.child.once("exit", () => {
      this.timers.clearTimeout(timer);
    });
  }

  /** Interrupts the thread running request `id` (past --request-timeout); recycles the
   *  process if the thread has not ended that request within --interrupt-timeout. */
  interrupt(daemon: DaemonProcess, channel: WorkerChannel, id: string): void {
    channel.stale = true;
    daemon.control?.interrupt(id);
    whenStuck(channel, this.config.daemons.interruptTimeout, this.timers, () => {
      this.post({ type: "recycle", daemon, reason: "request_timeout" });
    });
  }

  /** --maximum-requests, checked as each request ends. */
  afterRequest(daemon: DaemonProcess): void {
    const max = this.config.daemons.maximumRequests;
    if (max > 0 && daemon.requests >= max) {
      this.post({ type: "recycle", daemon, reason: "maximum_requests" });
    }
  }

  private handle(event: SupervisorEvent): void | Promise<void> {
    switch (event.type) {
      case "signal":
        this.onSignal(event.signal);
        return;
      case "sweep":
        this.onSweep();
        return;
      case "check":
        return this.onCheck();
      case "exit":
        this.onExit(event.daemon, event.code, event.signal);
        return;
      case "respawn":
        if (!this.pool.stopping) this.pool.spawn(event.index);
        return;
      case "asked":
        this.onAsked(event.daemon, event.reason);
        return;
      case "recycle":
        this.pool.recycle(event.daemon, event.reason);
        return;
      case "startup-timeout":
        this.onStartupTimeout(event.daemon);
        return;
    }
  }

  private onSignal(signal: RestartSignal): void {
    this.log.notice(
      signal === "SIGHUP"
        ? "caught SIGHUP, restarting the daemon processes"
        : "caught SIGUSR1, restarting the daemon processes gracefully",
    );
    const { reason, drainSeconds } = restartFor(signal, this.config.daemons);
    this.pool.restartAll(reason, drainSeconds);
  }

  private onSweep(): void {
    try {
      const unservedMs = this.config.daemons.connectTimeout * 1000;
      this.pool.expireWaiting(this.pool.anyReady ? 0 : unservedMs);
    } finally {
      this.ticking.delete("sweep");
    }
  }

  private async onCheck(): Promise<void> {
    try {
      for (const daemon of this.pool.serving) {
        const verdict = await this.checks.verdict(daemon);
        if (verdict?.action === "discard") this.pool.discard(daemon, verdict.why);
        else if (verdict?.action === "recycle") this.pool.recycle(daemon, verdict.reason);
      }
      if (await this.script.changed()) {
        this.log.notice(
          `WSGI script file ${this.config.application.entryPoint ?? ""} changed; restarting the daemon processes gracefully`,
        );
        this.pool.restartAll("script_reload", this.config.daemons.gracefulTimeout);
      }
    } finally {
      this.ticking.delete("check");
    }
  }

  /** The process is gone: forgotten, and restarted if it was serving its slot (after
   *  the crash back-off), unless the server is stopping or it must not run again. */
  private onExit(daemon: DaemonProcess, code: number | null, signal: string | null): void {
    const current = this.pool.forget(daemon);
    if (this.pool.stopping) return;
    if (code === EXIT_PRIVILEGES) {
      this.options.onFatal(
        `daemon process ${daemon.pid} could not take on its --user/--group or enter its ` +
          "--working-directory",
      );
      return;
    }
    if (!current) {
      this.log.info(`daemon process ${daemon.pid} stopped (${daemon.retiring ?? "replaced"})`);
      return;
    }
    const how = signal ? `signal ${signal}` : `status ${code}`;
    if (daemon.app === null) this.pool.crashedAtStartup(how);
    const delay = this.backoff.next(this.timers.now(), daemon.startedAt);
    this.log.error(
      `daemon process ${daemon.pid} exited with ${how}; ` +
        (delay > 0 ? `restarting in ${(delay / 1000).toFixed(1)}s` : "restarting"),
    );
    this.timers.setTimeout(() => {
      this.post({ type: "respawn", index: daemon.index });
    }, delay);
  }

  /** The daemon asked to be replaced; SIGUSR1 sent to it follows the eviction rule. */
  private onAsked(daemon: DaemonProcess, reason: string): void {
    if (reason === "graceful_signal") {
      const graceful = gracefulRestart(this.config.daemons);
      this.pool.recycle(daemon, graceful.reason, graceful.drainSeconds);
    } else this.pool.recycle(daemon, reason);
  }

  private onStartupTimeout(daemon: DaemonProcess): void {
    if (daemon.exited || daemon.app?.loaded === true) return;
    const seconds = this.config.daemons.startupTimeout;
    if (daemon.app === null) {
      this.pool.discard(
        daemon,
        `did not load the application within ${seconds}s (--startup-timeout)`,
      );
      return;
    }
    this.log.error(
      `daemon process ${daemon.pid} has no application after ${seconds}s (--startup-timeout); restarting it`,
    );
    daemon.stop(this.config.daemons.shutdownTimeout, "startup_timeout");
  }
}
