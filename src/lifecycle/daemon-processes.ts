/**
 * The daemon processes' side of the pool: starts them, replaces them gracefully (a
 * replacement is started and must report, control HELLO, before the old process stops
 * taking requests; its requests in flight then get their drain time before it is told
 * to stop: --shutdown-timeout, then SIGKILL), and forgets them when they exit. What to
 * do about an exit is the supervisor's (supervisor.ts); requests reach the threads
 * through daemon/thread-dispatcher.ts, whose queue lives in the front end, so no
 * restart ever drops a queued request.
 */
import type { ServerConfig } from "../config/server-config.js";
import type { ThreadDispatcher } from "../daemon/thread-dispatcher.js";
import type { ErrorLog } from "../log/error-log.js";
import {
  DaemonProcess,
  type AppStatus,
  type DaemonChild,
  type PythonReport,
} from "./daemon-process.js";
import { REASON_OPTION } from "./recycle-policy.js";
import { Slots } from "./slots.js";
import type { SupervisedPool } from "./supervisor.js";
import type { Timers } from "../process/timers.js";

/** What the processes need of the dispatcher. */
export type Dispatch = Pick<ThreadDispatcher<DaemonProcess>, "stopDispatching" | "expireWaiting">;

export interface ProcessHooks {
  /** Starts the child for slot `index` (0-based). */
  launch(index: number): DaemonChild;
  /** A process was started (the supervisor watches its start-up). */
  started(daemon: DaemonProcess): void;
  exited(daemon: DaemonProcess, code: number | null, signal: string | null): void;
  /** A replacement is being started for `daemon`, for `reason` (telemetry). */
  replaced?(daemon: DaemonProcess, reason: string): void;
}

export class DaemonProcesses implements SupervisedPool {
  private readonly byPid = new Map<number, DaemonProcess>();
  private readonly slots: Slots;
  private shuttingDown = false;
  private startupCrash: AppStatus | null = null;
  private pythonReport: PythonReport | null = null;

  constructor(
    private readonly config: ServerConfig,
    private readonly log: ErrorLog,
    private readonly dispatch: Dispatch,
    private readonly hooks: ProcessHooks,
    private readonly timers: Timers,
  ) {
    this.slots = new Slots(config.daemons.processes, timers);
  }

  /** The Python a daemon reported (the banner's). */
  get python(): PythonReport | null {
    return this.pythonReport;
  }

  get count(): number {
    return this.slots.count;
  }

  get stopping(): boolean {
    return this.shuttingDown;
  }

  get(pid: number): DaemonProcess | undefined {
    return this.byPid.get(pid);
  }

  /** What the processes said about loading the app: the first failure, else loaded;
   *  a failure too when a process died before it could report (a crash at import). */
  get appStatus(): AppStatus | null {
    const reports = [...this.byPid.values()].map((d) => d.app).filter((a) => a !== null);
    return reports.find((a) => !a.loaded) ?? reports[0] ?? this.startupCrash;
  }

  /** Every process alive, serving or not (--server-status). */
  get all(): DaemonProcess[] {
    return [...this.byPid.values()];
  }

  get serving(): DaemonProcess[] {
    return this.slots.serving;
  }

  get anyReady(): boolean {
    return [...this.byPid.values()].some((d) => d.acceptsRequests && d.channels.size > 0);
  }

  /** Some process has loaded the app, has a thread connected and takes requests. */
  get appReady(): boolean {
    return [...this.byPid.values()].some(
      (d) => d.app?.loaded === true && d.acceptsRequests && d.channels.size > 0,
    );
  }

  /** Resolves once every slot's process has reported or exited, or at the timeout. */
  allReported(timeoutMs: number): Promise<void> {
    return this.slots.allReported(timeoutMs);
  }

  expireWaiting(unservedMs: number): void {
    this.dispatch.expireWaiting(unservedMs);
  }

  spawn(index: number): void {
    const daemon = new DaemonProcess(
      this.hooks.launch(index),
      index,
      this.timers,
      this.log,
      (exited, code, signal) => {
        this.hooks.exited(exited, code, signal);
      },
    );
    this.slots.install(daemon);
    if (daemon.pid) this.byPid.set(daemon.pid, daemon);
    this.log.info(`started daemon process ${daemon.pid}`);
    this.hooks.started(daemon);
  }

  /** Replaces every serving process (SIGHUP: drain 0; SIGUSR1: the eviction window). */
  restartAll(reason: string, drainSeconds: number): void {
    for (const daemon of this.serving) this.recycle(daemon, reason, drainSeconds);
  }

  /** Starts a replacement for `daemon`; once it reports, `daemon` drains and stops. */
  recycle(daemon: DaemonProcess, reason: string, drainSeconds?: number): void {
    if (this.shuttingDown) return;
    if (!daemon.retire(reason, drainSeconds ?? this.config.daemons.gracefulTimeout)) return;
    this.hooks.replaced?.(daemon, reason);
    const why = REASON_OPTION[reason] ?? reason;
    this.log.notice(`recycling daemon process ${daemon.pid} (${why}): starting its replacement`);
    if (!this.slots.isCurrent(daemon)) return;
    this.slots.retire(daemon);
    this.spawn(daemon.index);
  }

  /** Stops dispatching to `daemon` at once and kills it (it cannot answer), replacing
   *  it; its requests in flight get 502. */
  discard(daemon: DaemonProcess, reason: string): void {
    this.log.error(`daemon process ${daemon.pid}: ${reason}; killing it`);
    this.stopDispatching(daemon);
    daemon.kill();
  }

  /** A thread's connection of `daemon` broke while it served: it takes no new request.
   *  A daemon that dies closes every thread's connection at once, but they are seen
   *  closed one at a time: until then its other threads look idle, and a request given
   *  to one would get 502 without ever running. It stops once idle, and its exit is
   *  handled as any other (restarted after the crash back-off). */
  lostThread(daemon: DaemonProcess): void {
    this.stopDispatching(daemon);
  }

  /** A daemon that lost a thread has no request left: it stops. */
  settleLoss(daemon: DaemonProcess): void {
    if (!daemon.acceptsRequests && !daemon.exited && daemon.activeRequests === 0) {
      this.finish(daemon);
    }
  }

  /** `daemon` reported on its app (control HELLO): the old processes of its slot drain,
   *  unless it could not load the app and they could. */
  reported(daemon: DaemonProcess, python?: PythonReport): void {
    if (python) this.pythonReport = python;
    if (daemon.app?.loaded === false) {
      this.log.error(`daemon ${daemon.pid} failed to load the application`);
    }
    const olds = this.slots.reported(daemon);
    if (daemon.app?.loaded === false && olds.some((old) => old.app?.loaded === true)) {
      this.rejectReplacement(daemon, olds);
      return;
    }
    for (const old of olds) this.drain(old);
  }

  /** A draining process has no request left: stop it. */
  finish(daemon: DaemonProcess): void {
    daemon.stop(this.config.daemons.shutdownTimeout, daemon.retiring ?? "shutdown_signal");
  }

  forget(daemon: DaemonProcess): boolean {
    this.byPid.delete(daemon.pid);
    this.dispatch.stopDispatching(daemon);
    this.slots.exited(daemon);
    return this.slots.isCurrent(daemon);
  }

  crashedAtStartup(how: string): void {
    this.startupCrash = { loaded: false, error: `daemon process exited with ${how}` };
  }

  /** A second stop signal: every process is killed at once. */
  kill(): void {
    for (const daemon of this.byPid.values()) daemon.kill();
  }

  /** Shutdown: nothing is replaced any more; each process is told to stop and waited for. */
  async stop(): Promise<void> {
    this.shuttingDown = true;
    const grace = this.config.daemons.shutdownTimeout;
    await Promise.all([...this.byPid.values()].map((daemon) => daemon.stopAndWait(grace)));
  }

  /** A replacement that could not load the app (say, a broken edit of the script) does
   *  not take over from processes that did: they serve on while it is restarted (with
   *  the crash back-off) until one loads it. mod_wsgi switches to the broken code. */
  private rejectReplacement(daemon: DaemonProcess, olds: DaemonProcess[]): void {
    const pids = olds.map((old) => old.pid).join(", ");
    this.log.error(
      `daemon process ${daemon.pid} failed to load the application; ${pids} serve on until a replacement loads it`,
    );
    for (const old of olds) this.slots.retire(old);
    this.stopDispatching(daemon);
    daemon.stop(this.config.daemons.shutdownTimeout, "startup_failed");
  }

  /** The replacement is ready: no new requests for `daemon`; stop it once idle. */
  private drain(daemon: DaemonProcess): void {
    this.stopDispatching(daemon);
    if (daemon.activeRequests === 0) {
      this.finish(daemon);
      return;
    }
    this.timers
      .setTimeout(() => {
        this.finish(daemon);
      }, daemon.drainSeconds * 1000)
      .unref();
  }

  private stopDispatching(daemon: DaemonProcess): void {
    daemon.drain();
    this.dispatch.stopDispatching(daemon);
  }
}
