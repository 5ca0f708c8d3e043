/**
 * The daemon pool put together: the dispatch side (daemon/thread-dispatcher.ts),
 * the processes (daemon-processes.ts), their connections (daemon-connections.ts) and
 * the supervisor's loop (supervisor.ts). The front end sees it as a DaemonPool;
 * run-server.ts starts and stops it and passes it the restart signals.
 */
import { randomBytes } from "node:crypto";
import { rm } from "node:fs/promises";
import type { Server } from "node:net";
import { join } from "node:path";
import { DAEMON_SOCKET } from "../config/resolve-server-root.js";
import type { ServerConfig } from "../config/server-config.js";
import { BodyFileProbe } from "../daemon/body-file-probe.js";
import { listenForDaemons } from "../daemon/listener.js";
import type { DaemonPool, PoolStatus } from "../daemon/pool.js";
import type { PendingRequest } from "../daemon/pending-request.js";
import type { ThreadDispatcher } from "../daemon/thread-dispatcher.js";
import type { WorkerChannel } from "../daemon/worker-channel.js";
import type { ErrorLog } from "../log/error-log.js";
import { acceptDaemon, type ConnectionContext } from "./daemon-connections.js";
import { spawnDaemon } from "./daemon-launch.js";
import type { AppStatus, DaemonProcess, PythonReport } from "./daemon-process.js";
import type { DaemonProcesses } from "./daemon-processes.js";
import { poolStatus } from "./pool-status.js";
import { readRss } from "./proc-stats.js";
import type { RestartSignal } from "./restart-signals.js";
import { superviseDaemons } from "./supervision.js";
import type { Supervisor } from "./supervisor.js";
import { systemTimers, type Timers } from "../process/timers.js";

export class SupervisedDaemonPool implements DaemonPool {
  private readonly token = randomBytes(16).toString("hex");
  private readonly socketPath: string;
  private readonly threads: ThreadDispatcher<DaemonProcess>;
  private readonly processes: DaemonProcesses;
  private readonly supervisor: Supervisor;
  private listener: Server | null = null;
  private bodyFileProbe: BodyFileProbe | null = null;
  /** Called instead of a respawn when a daemon must not be restarted (EXIT_PRIVILEGES). */
  onFatal: (message: string) => void = () => undefined;
  /** A process is replaced, for `reason` (a recycle reason, or "exit": it died unasked). */
  onRestart: (pid: number, reason: string) => void = () => undefined;
  private readonly now: () => number;
  private environment: Readonly<Record<string, string>> = {};

  constructor(
    private readonly config: ServerConfig,
    private readonly log: ErrorLog,
    timers: Timers = systemTimers,
  ) {
    this.socketPath = join(config.socketDirectory, DAEMON_SOCKET);
    const now = (): number => timers.now();
    this.now = now;
    const launch = (index: number): ReturnType<typeof spawnDaemon> =>
      spawnDaemon(
        {
          config,
          socketPath: this.socketPath,
          token: this.token,
          processIndex: index + 1,
          bodyFileProbe: this.bodyFileProbe?.path ?? null,
          environment: this.environment,
        },
        log,
      );
    ({
      threads: this.threads,
      processes: this.processes,
      supervisor: this.supervisor,
    } = superviseDaemons(config, log, launch, {
      timers,
      readRss,
      onFatal: (message) => {
        this.onFatal(message);
      },
      onRestart: (pid, reason) => {
        this.onRestart(pid, reason);
      },
    }));
  }

  /** Listens for daemon connections and starts every process; resolves once each has
   *  reported whether its app loaded (or has exited trying), or at the startup timeout. */
  async start(environment: Readonly<Record<string, string>> = {}): Promise<void> {
    // What only the bound listeners tell (bound-ports.ts), for every daemon started.
    this.environment = environment;
    await rm(this.socketPath, { force: true });
    const { bodySpoolDirectory, bodySpoolSize } = this.config.http;
    this.bodyFileProbe = await BodyFileProbe.open(bodySpoolDirectory, bodySpoolSize);
    const context: ConnectionContext = {
      processes: this.processes,
      threads: this.threads,
      log: this.log,
      now: this.now,
      asked: (daemon, reason) => {
        this.supervisor.post({ type: "asked", daemon, reason });
      },
    };
    this.listener = await listenForDaemons(
      this.socketPath,
      this.token,
      (hello, socket, decoder) => {
        acceptDaemon(context, hello, socket, decoder);
      },
      (reason) => {
        this.log.warn(`refused a daemon connection: ${reason}`);
      },
    );
    this.supervisor.start();
    for (let index = 0; index < this.processes.count; index++) this.processes.spawn(index);
    await this.processes.allReported(this.config.daemons.startupTimeout * 1000);
  }

  get appStatus(): AppStatus | null {
    return this.processes.appStatus;
  }

  get appReady(): boolean {
    return this.processes.appReady;
  }

  status(): PoolStatus {
    const waiting = this.threads.waitingCount;
    return poolStatus(this.processes.all, this.config.daemons, waiting, this.now());
  }

  get python(): PythonReport | null {
    return this.processes.python;
  }

  /** SIGHUP or SIGUSR1 reached the server (restart-signals.ts). */
  restartSignal(signal: RestartSignal): void {
    this.supervisor.post({ type: "signal", signal });
  }

  dispatch(request: PendingRequest): void {
    this.threads.dispatch(request);
  }

  release(channel: WorkerChannel): void {
    this.threads.release(channel);
  }

  withdraw(channel: WorkerChannel): void {
    this.threads.withdraw(channel);
  }

  abort(pid: number, id: string): void {
    this.processes.get(pid)?.control?.abort(id);
  }

  timedOut(channel: WorkerChannel, id: string): void {
    const daemon = this.processes.get(channel.pid);
    if (daemon) this.supervisor.interrupt(daemon, channel, id);
  }

  /** A second stop signal: every process is killed at once. */
  kill(): void {
    this.processes.kill();
  }

  async stop(): Promise<void> {
    this.supervisor.stop();
    this.threads.stop();
    await this.processes.stop();
    await this.bodyFileProbe?.close().catch(() => undefined);
    await new Promise<void>((resolve) => {
      if (this.listener)
        this.listener.close(() => {
          resolve();
        });
      else resolve();
    });
  }
}
