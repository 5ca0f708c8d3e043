/**
 * One Python daemon process and its life (process-state.ts): the front end's record of
 * it, changed only through the methods below. The process side (daemon-processes.ts)
 * decides what to do about it; the dispatcher sees it as a DispatchTarget.
 */
import type { ControlChannel } from "../daemon/control-channel.js";
import type { DispatchTarget } from "../daemon/pool.js";
import type { WorkerChannel } from "../daemon/worker-channel.js";
import type { ErrorLog } from "../log/error-log.js";
import { move, type ProcessState } from "./process-state.js";
import { Termination, type KillableChild } from "../process/terminate.js";
import type { Timers } from "../process/timers.js";

export interface AppStatus {
  readonly loaded: boolean;
  readonly error: string | null;
}

export interface PythonReport {
  readonly version: string;
  readonly prefix: string;
  readonly executable: string;
}

/** What the front end sends a daemon over its control connection. */
export type DaemonControl = Pick<
  ControlChannel,
  "open" | "abort" | "interrupt" | "recall" | "shutdown" | "destroy"
>;

/** The child as seen here: a ChildProcess, or a fake in the unit tests. */
export interface DaemonChild extends KillableChild {
  readonly pid?: number | undefined;
  on(
    event: "exit",
    listener: (code: number | null, signal: NodeJS.Signals | null) => void,
  ): unknown;
}

export type ExitListener = (
  daemon: DaemonProcess,
  code: number | null,
  signal: string | null,
) => void;

export class DaemonProcess implements DispatchTarget {
  readonly startedAt: number;
  private current: ProcessState = "starting";
  private controlChannel: DaemonControl | null = null;
  private appStatus: AppStatus | null = null;
  private retireReason: string | null = null;
  private drainMs = 0;
  private completed = 0;
  private lastActive: number | null = null;
  private heartbeatAt: number;
  private readonly workerChannels = new Set<WorkerChannel>();
  private readonly termination: Termination;

  constructor(
    readonly child: DaemonChild,
    /** Its position among the --processes (0-based). */
    readonly index: number,
    timers: Timers,
    log: ErrorLog,
    onExit: ExitListener,
  ) {
    this.startedAt = timers.now();
    this.heartbeatAt = this.startedAt;
    this.termination = new Termination(child, timers, (graceMs) => {
      log.warn(
        `daemon process ${this.pid} did not exit within ${graceMs / 1000}s of being told to stop; killed it (SIGKILL)`,
      );
    });
    child.on("exit", (code, signal) => {
      this.current = move(this.current, "gone");
      this.controlChannel?.destroy();
      onExit(this, code, signal);
    });
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  get state(): ProcessState {
    return this.current;
  }

  get exited(): boolean {
    return this.current === "gone";
  }

  /** Starting or ready: new requests may go to it. */
  get acceptsRequests(): boolean {
    return this.current === "starting" || this.current === "ready";
  }

  /** Told to stop, or gone. */
  get stoppingOrGone(): boolean {
    return this.current === "stopping" || this.current === "gone";
  }

  get control(): DaemonControl | null {
    return this.controlChannel;
  }

  /** What it said about loading the app; null until it reports. */
  get app(): AppStatus | null {
    return this.appStatus;
  }

  /** Why its replacement was started; null while it is not being replaced. */
  get retiring(): string | null {
    return this.retireReason;
  }

  /** How long its requests in flight get once its replacement is ready (seconds). */
  get drainSeconds(): number {
    return this.drainMs / 1000;
  }

  get requests(): number {
    return this.completed;
  }

  get lastActivity(): number | null {
    return this.lastActive;
  }

  get lastHeartbeat(): number {
    return this.heartbeatAt;
  }

  get channels(): ReadonlySet<WorkerChannel> {
    return this.workerChannels;
  }

  /** Busy with a request that has not timed out (those are not waited for). */
  get activeRequests(): number {
    let count = 0;
    for (const channel of this.workerChannels) if (channel.busy && !channel.stale) count += 1;
    return count;
  }

  /** Its control connection said HELLO: it reports on its app, and is ready. */
  reported(control: DaemonControl, app: AppStatus, now: number): void {
    this.controlChannel = control;
    this.appStatus = app;
    this.heartbeatAt = now;
    if (this.current === "starting") this.current = move(this.current, "ready");
  }

  heartbeat(now: number): void {
    this.heartbeatAt = now;
  }

  addChannel(channel: WorkerChannel): void {
    this.workerChannels.add(channel);
  }

  removeChannel(channel: WorkerChannel): void {
    this.workerChannels.delete(channel);
  }

  countRequest(now: number, activity: boolean): void {
    this.completed += 1;
    if (activity) this.lastActive = now;
  }

  noteActivity(now: number): void {
    this.lastActive = now;
  }

  /** Its replacement is being started, for `reason`; false (and nothing changes) when
   *  one already is, or it has exited. */
  retire(reason: string, drainSeconds: number): boolean {
    if (this.retireReason !== null || this.exited) return false;
    this.retireReason = reason;
    this.drainMs = drainSeconds * 1000;
    return true;
  }

  /** No new requests for it (its replacement is ready, or it is being discarded). */
  drain(): void {
    if (this.acceptsRequests) this.current = move(this.current, "draining");
  }

  /** Asks it to stop (SHUTDOWN with the reason its process_stopping event reports, or
   *  SIGTERM before it has a control connection); SIGKILL if still alive after the grace
   *  period (--shutdown-timeout). Always reaped by 'exit'. */
  stop(graceSeconds: number, reason = "shutdown_signal"): void {
    if (this.stoppingOrGone) return;
    this.current = move(this.current, "stopping");
    const control = this.controlChannel;
    const ask = control?.open
      ? () => {
          control.shutdown(reason);
        }
      : undefined;
    this.termination.begin(graceSeconds * 1000, ask);
  }

  /** stop(), resolving once the process has exited. */
  stopAndWait(graceSeconds: number, reason?: string): Promise<void> {
    const exited = new Promise<void>((resolve) => {
      if (this.exited) resolve();
      else
        this.child.once("exit", () => {
          resolve();
        });
    });
    this.stop(graceSeconds, reason);
    return exited;
  }

  /** At once, for a process that cannot answer (deadlocked, or hung at start-up). */
  kill(): void {
    if (this.exited) return;
    if (this.current !== "stopping") this.current = move(this.current, "stopping");
    this.termination.killNow();
  }
}
