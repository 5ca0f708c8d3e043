/**
 * Supervises the `--service-script` processes: one each, restarted with a growing delay
 * when it exits (mod_wsgi restarts at once, which spins when a script fails at start),
 * stopped with the server. A service that cannot drop privileges stops the server.
 */
import type { ServerConfig, ServiceConfig } from "../config/server-config.js";
import { ErrorLog } from "../log/error-log.js";
import { openLogFile, type LogFile } from "../log/log-file.js";
import { EXIT_PRIVILEGES } from "../process/exit-status.js";
import { RespawnBackoff } from "../process/respawn-backoff.js";
import { systemTimers, type TimerHandle, type Timers } from "../process/timers.js";
import { ServiceProcess, type ServiceChild } from "./service-process.js";

/** Starts a service's process; `onExit` is called once it exits. */
export type SpawnService = (
  service: ServiceConfig,
  log: ErrorLog,
  onExit: (code: number | null, signal: string | null) => void,
  startedAt: number,
) => ServiceChild;

interface Running {
  readonly service: ServiceConfig;
  readonly log: ErrorLog;
  readonly backoff: RespawnBackoff;
  process: ServiceChild | null;
  timer: TimerHandle | undefined;
}

export class ServiceSupervisor {
  private readonly running: Running[] = [];
  private readonly files: LogFile[] = [];
  private stopping = false;

  constructor(
    private readonly config: ServerConfig,
    private readonly errorLog: ErrorLog,
    private readonly onFatal: (message: string) => void,
    private readonly timers: Timers = systemTimers,
    private readonly spawnService: SpawnService = (service, log, onExit, startedAt) =>
      new ServiceProcess(config, service, log, onExit, startedAt),
  ) {}

  /** Opens the services' own log files and starts every service. */
  async start(): Promise<void> {
    for (const service of this.config.services) {
      const log = await this.logFor(service);
      const entry: Running = {
        service,
        log,
        backoff: new RespawnBackoff(),
        process: null,
        timer: undefined,
      };
      this.running.push(entry);
      this.spawn(entry);
    }
  }

  async stop(): Promise<void> {
    this.stopping = true;
    const grace = this.config.daemons.shutdownTimeout;
    await Promise.all(
      this.running.map((entry) => {
        this.timers.clearTimeout(entry.timer);
        const child = entry.process;
        if (child === null || child.exited) return Promise.resolve();
        const exited = child.whenExited();
        child.stop(grace);
        return exited;
      }),
    );
    await Promise.all(this.files.map((file) => file.close()));
  }

  private async logFor(service: ServiceConfig): Promise<ErrorLog> {
    if (service.logFile === null) return this.errorLog;
    const file = await openLogFile(service.logFile, this.config.logging.rotateBytes);
    this.files.push(file);
    const { logLevel, errorLogFormat } = this.config.logging;
    return new ErrorLog(file.stream, logLevel, undefined, errorLogFormat);
  }

  private spawn(entry: Running): void {
    const { name } = entry.service;
    const child = this.spawnService(
      entry.service,
      entry.log,
      (code, signal) => {
        this.onExit(entry, child, code, signal);
      },
      this.timers.now(),
    );
    entry.process = child;
    this.errorLog.info(`started service ${name} (pid ${child.pid})`);
  }

  private onExit(entry: Running, child: ServiceChild, code: number | null, signal: string | null) {
    if (this.stopping) return;
    const { name } = entry.service;
    if (code === EXIT_PRIVILEGES) {
      this.onFatal(`service ${name} could not switch to its user/group; see the log`);
      return;
    }
    const how = signal ? `signal ${signal}` : `status ${code}`;
    const delay = entry.backoff.next(this.timers.now(), child.startedAt);
    this.errorLog.error(
      `service ${name} (pid ${child.pid}) exited with ${how}; restarting` +
        (delay > 0 ? ` in ${(delay / 1000).toFixed(1)}s` : ""),
    );
    entry.timer = this.timers.setTimeout(() => {
      if (!this.stopping) this.spawn(entry);
    }, delay);
  }
}
