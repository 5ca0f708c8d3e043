/**
 * The daemon processes and their threads' channels: starts them, replaces processes
 * that die, and recycles them gracefully: a replacement is started and must report
 * (control HELLO) before the old process stops taking requests; its requests in flight
 * then get --graceful-timeout to finish before it is told to stop (--shutdown-timeout,
 * then SIGKILL). Requests go to threads through thread-dispatcher.ts, whose queue lives
 * in the front end, so no restart ever drops a queued request.
 */
import { randomBytes } from "node:crypto";
import { rm } from "node:fs/promises";
import type { Server, Socket } from "node:net";
import { join } from "node:path";
import { DAEMON_SOCKET } from "../config/resolve-server-root.js";
import type { ServerConfig } from "../config/server-config.js";
import type { ErrorLog } from "../log/error-log.js";
import type { FrameDecoder } from "../protocol/frames.js";
import type { Hello } from "../protocol/messages.js";
import { BodyFileProbe } from "./body-file-probe.js";
import { ControlChannel } from "./control-channel.js";
import { EXIT_PRIVILEGES } from "./exit-status.js";
import { DaemonProcess, type AppStatus } from "./daemon-process.js";
import { listenForDaemons } from "./listener.js";
import { REASON_OPTION } from "./recycle-policy.js";
import { RespawnBackoff } from "./respawn-backoff.js";
import { Slots } from "./slots.js";
import { Supervisor } from "./supervisor.js";
import { ThreadDispatcher, type PendingRequest } from "./thread-dispatcher.js";
import { WorkerChannel } from "./worker-channel.js";

/** How long a daemon whose thread connection closed has to show that it is stopping
 *  (a daemon given SIGINT by the terminal exits within this) before a lost thread is
 *  reported. */
const LOST_THREAD_GRACE_MS = 2000;

export interface PythonReport {
  readonly version: string;
  readonly prefix: string;
  readonly executable: string;
}

export class DaemonPool {
  private readonly token = randomBytes(16).toString("hex");
  private readonly socketPath: string;
  private readonly processes = new Map<number, DaemonProcess>();
  private readonly slots: Slots;
  private readonly threads: ThreadDispatcher;
  private readonly backoff = new RespawnBackoff();
  private readonly supervisor: Supervisor;
  private listener: Server | null = null;
  private bodyFileProbe: BodyFileProbe | null = null;
  private stopping = false;
  python: PythonReport | null = null;
  private startupCrash: AppStatus | null = null;
  /** Called instead of a respawn when a daemon must not be restarted (EXIT_PRIVILEGES). */
  onFatal: (message: string) => void = () => undefined;

  constructor(
    private readonly config: ServerConfig,
    private readonly log: ErrorLog,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.socketPath = join(config.socketDirectory, DAEMON_SOCKET);
    this.slots = new Slots(config.daemons.processes);
    this.supervisor = new Supervisor(config, log, this, now);
    this.threads = new ThreadDispatcher(
      config,
      {
        processOf: (channel) => this.processes.get(channel.pid),
        afterRequest: (daemon) => {
          this.supervisor.afterRequest(daemon);
        },
        countsAsActivity: (path) => this.supervisor.countsAsActivity(path),
        finish: (daemon) => {
          this.finish(daemon);
        },
      },
      now,
    );
  }

  /** Listens for daemon connections and starts every process; resolves once each has
   *  reported whether its app loaded (or has exited trying), or at the startup timeout. */
  async start(): Promise<void> {
    await rm(this.socketPath, { force: true });
    const { bodySpoolDirectory, bodySpoolSize } = this.config.http;
    this.bodyFileProbe = await BodyFileProbe.open(bodySpoolDirectory, bodySpoolSize);
    this.listener = await listenForDaemons(
      this.socketPath,
      this.token,
      (hello, socket, decoder) => {
        this.onHello(hello, socket, decoder);
      },
      (reason) => {
        this.log.warn(`refused a daemon connection: ${reason}`);
      },
    );
    this.supervisor.start();
    for (let index = 0; index < this.slots.count; index++) this.spawn(index);
    await this.slots.allReported(this.config.daemons.startupTimeout * 1000);
  }

  /** What the processes said about loading the app: the first failure, else loaded;
   *  a failure too when a process died before it could report (a crash at import). */
  get appStatus(): AppStatus | null {
    const reports = [...this.processes.values()].map((d) => d.app).filter((a) => a !== null);
    return reports.find((a) => !a.loaded) ?? reports[0] ?? this.startupCrash;
  }

  /** Processes taking requests (for the supervisor's checks). */
  get serving(): DaemonProcess[] {
    return this.slots.serving;
  }

  /** True when some process has an idle or busy thread (else --connect-timeout runs). */
  get anyReady(): boolean {
    return [...this.processes.values()].some((d) => !d.draining && d.channels.size > 0);
  }

  dispatch(request: PendingRequest): void {
    this.threads.dispatch(request);
  }

  /** The request on `channel` is finished in both directions. */
  release(channel: WorkerChannel): void {
    this.threads.release(channel);
  }

  /** The client of a request written ahead went away: it need not run at all. */
  withdraw(channel: WorkerChannel): void {
    this.threads.withdraw(channel);
  }

  /** The queue's --queue-timeout / --connect-timeout sweep (supervisor.ts). */
  expireWaiting(unservedMs: number): void {
    this.threads.expireWaiting(unservedMs);
  }

  /** Tells the daemon running request `id` that its client went away. */
  abort(pid: number, id: string): void {
    this.processes.get(pid)?.control?.abort(id);
  }

  /** Request `id` on `channel` passed --request-timeout (its client has had its 504). */
  timedOut(channel: WorkerChannel, id: string): void {
    const daemon = this.processes.get(channel.pid);
    if (daemon) this.supervisor.interrupt(daemon, channel, id);
  }

  /** Replaces every serving process (SIGHUP: drain 0; SIGUSR1: the eviction window). */
  restartAll(reason: string, drainSeconds: number): void {
    for (const daemon of this.serving) this.recycle(daemon, reason, drainSeconds);
  }

  /** Starts a replacement for `daemon`; once it reports, `daemon` drains and stops. */
  recycle(daemon: DaemonProcess, reason: string, drainSeconds?: number): void {
    if (this.stopping || daemon.retiring !== null || daemon.exited) return;
    daemon.retiring = reason;
    daemon.drainSeconds = drainSeconds ?? this.config.daemons.gracefulTimeout;
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

  /** A second stop signal: every process is killed at once. */
  kill(): void {
    for (const daemon of this.processes.values()) daemon.kill();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.supervisor.stop();
    this.threads.stop();
    const grace = this.config.daemons.shutdownTimeout;
    await Promise.all([...this.processes.values()].map((daemon) => daemon.stopAndWait(grace)));
    await this.bodyFileProbe?.close().catch(() => undefined);
    await new Promise<void>((resolve) => {
      if (this.listener)
        this.listener.close(() => {
          resolve();
        });
      else resolve();
    });
  }

  private spawn(index: number): void {
    const daemon = new DaemonProcess(
      {
        config: this.config,
        socketPath: this.socketPath,
        token: this.token,
        processIndex: index + 1,
        bodyFileProbe: this.bodyFileProbe?.path ?? null,
      },
      this.log,
      (exited, code, signal) => {
        this.onExit(exited, code, signal);
      },
    );
    daemon.index = index;
    this.slots.install(daemon);
    if (daemon.pid) this.processes.set(daemon.pid, daemon);
    this.log.info(`started daemon process ${daemon.pid}`);
    this.supervisor.watchStartup(daemon);
  }

  private onHello(hello: Hello, socket: Socket, decoder: FrameDecoder): void {
    const daemon = this.processes.get(hello.pid);
    if (!daemon || daemon.exited) {
      socket.destroy();
      return;
    }
    if (hello.role === "control") {
      this.onControl(daemon, hello, socket, decoder);
      return;
    }
    const channel = new WorkerChannel(socket, decoder, hello.pid, hello.thread, (lost, reason) => {
      this.onChannelClosed(lost, reason);
    });
    channel.readsBodyFiles = hello.bodyFiles === true;
    daemon.channels.add(channel);
    // A thread that connects is idle; it has not finished a request (which would count
    // towards --maximum-requests: with more threads than that, a recycle loop).
    if (daemon.draining) channel.close("process is draining");
    else this.threads.add(channel);
  }

  private onControl(daemon: DaemonProcess, hello: Hello, socket: Socket, decoder: FrameDecoder) {
    daemon.control = new ControlChannel(socket, decoder, {
      onHeartbeat: () => (daemon.lastHeartbeat = this.now()),
      onRecalled: (answer) => {
        this.threads.answered(daemon, answer);
      },
      onRecycle: (reason) => {
        // SIGUSR1 sent to a daemon drains for --eviction-timeout when set (mod_wsgi).
        const eviction = this.config.daemons.evictionTimeout;
        if (reason === "graceful_signal" && eviction > 0) {
          this.recycle(daemon, "eviction_signal", eviction);
        } else this.recycle(daemon, reason);
      },
      onProblem: (message) => {
        this.log.warn(`daemon ${daemon.pid}: ${message}`);
      },
    });
    daemon.lastHeartbeat = this.now();
    daemon.app = hello.app ?? { loaded: false, error: "daemon did not report its app" };
    if (hello.python) this.python = hello.python;
    if (!daemon.app.loaded) this.log.error(`daemon ${daemon.pid} failed to load the application`);
    const olds = this.slots.reported(daemon);
    if (!daemon.app.loaded && olds.some((old) => old.app?.loaded === true)) {
      this.rejectReplacement(daemon, olds);
      return;
    }
    for (const old of olds) this.drain(old);
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
    setTimeout(() => {
      this.finish(daemon);
    }, daemon.drainSeconds * 1000).unref();
  }

  private stopDispatching(daemon: DaemonProcess): void {
    daemon.draining = true;
    this.threads.stopDispatching(daemon);
  }

  private finish(daemon: DaemonProcess): void {
    daemon.stop(this.config.daemons.shutdownTimeout, daemon.retiring ?? "shutdown_signal");
  }

  private onChannelClosed(channel: WorkerChannel, reason: string): void {
    this.threads.remove(channel);
    const daemon = this.processes.get(channel.pid);
    daemon?.channels.delete(channel);
    if (daemon === undefined || !this.losing(daemon)) return;
    // Ctrl-C reaches the whole process group: a daemon stops on its own SIGINT and closes
    // its threads before our handler has marked the stop. A thread is lost only if its
    // process lives on; an exit is reported by onExit.
    setTimeout(() => {
      if (this.losing(daemon)) {
        this.log.warn(`lost thread ${channel.thread} of daemon ${channel.pid}: ${reason}`);
      }
    }, LOST_THREAD_GRACE_MS).unref();
  }

  /** Whether a channel closing now means a thread was lost, not a process stopping. */
  private losing(daemon: DaemonProcess): boolean {
    return !this.stopping && !daemon.stopping && !daemon.exited && !daemon.draining;
  }

  private onExit(daemon: DaemonProcess, code: number | null, signal: string | null) {
    this.processes.delete(daemon.pid);
    this.stopDispatching(daemon);
    this.slots.exited(daemon);
    if (this.stopping) return;
    if (code === EXIT_PRIVILEGES) {
      this.onFatal(
        `daemon process ${daemon.pid} could not take on its --user/--group or enter its ` +
          "--working-directory",
      );
      return;
    }
    if (!this.slots.isCurrent(daemon)) {
      this.log.info(`daemon process ${daemon.pid} stopped (${daemon.retiring ?? "replaced"})`);
      return;
    }
    const how = signal ? `signal ${signal}` : `status ${code}`;
    if (daemon.app === null) {
      this.startupCrash = { loaded: false, error: `daemon process exited with ${how}` };
    }
    const delay = this.backoff.next(this.now(), daemon.startedAt);
    this.log.error(
      `daemon process ${daemon.pid} exited with ${how}; ` +
        (delay > 0 ? `restarting in ${(delay / 1000).toFixed(1)}s` : "restarting"),
    );
    setTimeout(() => {
      if (!this.stopping) this.spawn(daemon.index);
    }, delay);
  }
}
