/**
 * The daemon processes and their threads' channels: hands each request to an idle
 * thread or queues it, and replaces processes that die.
 */
import { randomBytes } from "node:crypto";
import { rm } from "node:fs/promises";
import type { Server, Socket } from "node:net";
import { join } from "node:path";
import type { ServerConfig } from "../config/server-config.js";
import type { ErrorLog } from "../log/error-log.js";
import { FrameDecoder } from "../protocol/frames.js";
import { encodeAbort, type Hello } from "../protocol/messages.js";
import { EXIT_PRIVILEGES } from "./exit-status.js";
import { DaemonProcess, type AppStatus } from "./daemon-process.js";
import { listenForDaemons } from "./listener.js";
import { RequestQueue, type QueuedRequest } from "./request-queue.js";
import { RespawnBackoff } from "./respawn-backoff.js";
import { WorkerChannel } from "./worker-channel.js";

/** A request as the pool sees it: it can wait in the queue and later be given a thread. */
export interface PendingRequest extends QueuedRequest {
  start(channel: WorkerChannel): void;
}

export interface PythonReport {
  readonly version: string;
  readonly prefix: string;
  readonly executable: string;
}

export class DaemonPool {
  private readonly token = randomBytes(16).toString("hex");
  private readonly socketPath: string;
  private readonly processes = new Map<number, DaemonProcess>();
  private readonly slots: (DaemonProcess | null)[];
  private readonly idle: WorkerChannel[] = [];
  private readonly queue: RequestQueue<PendingRequest>;
  private readonly backoff = new RespawnBackoff();
  private listener: Server | null = null;
  private sweeper: NodeJS.Timeout | null = null;
  private stopping = false;
  private readonly readyWaiters: (() => void)[] = [];
  python: PythonReport | null = null;
  /** Called instead of a respawn when a daemon must not be restarted (EXIT_PRIVILEGES). */
  onFatal: (message: string) => void = () => undefined;

  constructor(
    private readonly config: ServerConfig,
    private readonly log: ErrorLog,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.socketPath = join(config.socketDirectory, "daemon.sock");
    this.slots = Array.from({ length: config.daemons.processes }, () => null);
    this.queue = new RequestQueue(config.daemons.queueTimeout * 1000, now);
  }

  /** Listens for daemon connections and starts every process; resolves once each has
   *  reported whether its app loaded (or has exited trying), or at the startup timeout. */
  async start(): Promise<void> {
    await rm(this.socketPath, { force: true });
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
    this.sweeper = setInterval(() => {
      this.queue.expireLate();
    }, 250);
    this.sweeper.unref();
    for (let index = 0; index < this.slots.length; index++) this.spawn(index);
    await this.allReported(this.config.daemons.startupTimeout * 1000);
  }

  /** What the processes said about loading the app: the first failure, else loaded. */
  get appStatus(): AppStatus | null {
    const reports = [...this.processes.values()].map((d) => d.app).filter((a) => a !== null);
    return reports.find((a) => !a.loaded) ?? reports[0] ?? null;
  }

  dispatch(request: PendingRequest): void {
    const channel = this.takeIdle();
    if (channel) request.start(channel);
    else this.queue.push(request);
  }

  /** The request on `channel` is finished in both directions. */
  release(channel: WorkerChannel): void {
    channel.release();
    if (channel.isClosed) return;
    const next = this.queue.shift();
    if (next) next.start(channel);
    else this.idle.push(channel);
  }

  /** Tells the daemon running request `id` that its client went away. */
  abort(pid: number, id: string): void {
    const control = this.processes.get(pid)?.control;
    if (control && !control.destroyed) control.write(encodeAbort(id));
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.sweeper) clearInterval(this.sweeper);
    const exits = [...this.processes.values()].map(
      (daemon) =>
        new Promise<void>((resolve) => {
          if (daemon.exited) resolve();
          else
            daemon.child.once("exit", () => {
              resolve();
            });
          daemon.stop(this.config.daemons.shutdownTimeout);
        }),
    );
    await Promise.all(exits);
    await new Promise<void>((resolve) => {
      if (this.listener)
        this.listener.close(() => {
          resolve();
        });
      else resolve();
    });
  }

  private takeIdle(): WorkerChannel | undefined {
    let channel = this.idle.pop();
    while (channel?.isClosed) channel = this.idle.pop();
    return channel;
  }

  private spawn(index: number): void {
    const daemon = new DaemonProcess(
      {
        config: this.config,
        socketPath: this.socketPath,
        token: this.token,
        processIndex: index + 1,
      },
      this.log,
      (exited, code, signal) => {
        this.onExit(index, exited, code, signal);
      },
    );
    this.slots[index] = daemon;
    if (daemon.pid) this.processes.set(daemon.pid, daemon);
    this.log.info(`started daemon process ${daemon.pid}`);
  }

  private onHello(hello: Hello, socket: Socket, decoder: FrameDecoder): void {
    const daemon = this.processes.get(hello.pid);
    if (!daemon || daemon.exited) {
      socket.destroy();
      return;
    }
    if (hello.role === "control") {
      daemon.control = socket;
      daemon.app = hello.app ?? { loaded: false, error: "daemon did not report its app" };
      if (hello.python) this.python = hello.python;
      socket.on("error", () => socket.destroy());
      if (!daemon.app.loaded) this.log.error(`daemon ${daemon.pid} failed to load the application`);
      this.notifyReported();
      return;
    }
    const channel = new WorkerChannel(socket, decoder, hello.pid, hello.thread, (lost, reason) => {
      this.onChannelClosed(lost, reason);
    });
    this.release(channel);
  }

  private onChannelClosed(channel: WorkerChannel, reason: string): void {
    const index = this.idle.indexOf(channel);
    if (index !== -1) this.idle.splice(index, 1);
    const daemon = this.processes.get(channel.pid);
    if (daemon && !daemon.stopping && !daemon.exited) {
      this.log.warn(`lost thread ${channel.thread} of daemon ${channel.pid}: ${reason}`);
    }
  }

  private onExit(index: number, daemon: DaemonProcess, code: number | null, signal: string | null) {
    this.processes.delete(daemon.pid);
    this.notifyReported();
    if (this.stopping || daemon.stopping) return;
    if (code === EXIT_PRIVILEGES) {
      this.onFatal(`daemon process ${daemon.pid} could not switch to --user/--group`);
      return;
    }
    const how = signal ? `signal ${signal}` : `status ${code}`;
    const delay = this.backoff.next(this.now(), daemon.startedAt);
    this.log.error(
      `daemon process ${daemon.pid} exited with ${how}; ` +
        (delay > 0 ? `restarting in ${(delay / 1000).toFixed(1)}s` : "restarting"),
    );
    setTimeout(() => {
      if (!this.stopping) this.spawn(index);
    }, delay);
  }

  private notifyReported(): void {
    for (const waiter of this.readyWaiters.splice(0)) waiter();
  }

  private allReported(timeoutMs: number): Promise<void> {
    const done = (): boolean =>
      this.slots.every((daemon) => daemon === null || daemon.exited || daemon.app !== null);
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      const check = (): void => {
        if (done()) {
          clearTimeout(timer);
          resolve();
        } else this.readyWaiters.push(check);
      };
      check();
    });
  }
}
