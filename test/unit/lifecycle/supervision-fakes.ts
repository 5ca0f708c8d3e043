/**
 * A supervisor over fake daemon processes, for the unit tests: the real Supervisor,
 * DaemonProcesses and ThreadDispatcher, on node:test's mock timers (Date.now as the
 * clock), with children that are EventEmitters recording the signals they get, and
 * control connections recording what they are sent. No process, socket or sleep.
 */
import { EventEmitter } from "node:events";
import type { Socket } from "node:net";
import { Duplex } from "node:stream";
import { resolveConfig } from "../../../src/config/resolve.js";
import type { ServerConfig } from "../../../src/config/server-config.js";
import type { PendingRequest } from "../../../src/daemon/pending-request.js";
import type { ThreadDispatcher } from "../../../src/daemon/thread-dispatcher.js";
import { WorkerChannel } from "../../../src/daemon/worker-channel.js";
import { ErrorLog } from "../../../src/log/error-log.js";
import type { DaemonControl, DaemonProcess } from "../../../src/lifecycle/daemon-process.js";
import { channelClosed } from "../../../src/lifecycle/daemon-connections.js";
import type { DaemonProcesses } from "../../../src/lifecycle/daemon-processes.js";
import { superviseDaemons } from "../../../src/lifecycle/supervision.js";
import type { Supervisor } from "../../../src/lifecycle/supervisor.js";
import { systemTimers, type Timers } from "../../../src/process/timers.js";
import { FrameDecoder } from "../../../src/protocol/frames.js";
import { fakeContext, parseArgs } from "../config/fakes.js";

let nextPid = 1000;

/** A daemon child: records signals; SIGKILL always ends it, SIGTERM only if it obeys. */
export class FakeChild extends EventEmitter {
  readonly pid = nextPid++;
  readonly signals: string[] = [];
  obeysTerm = true;
  private ended = false;

  kill(signal: NodeJS.Signals): boolean {
    this.signals.push(signal);
    if (signal === "SIGKILL" || this.obeysTerm) this.exit(null, signal);
    return true;
  }

  /** It exits (status `code`, or killed by `signal`), as ChildProcess reports it. */
  exit(code: number | null, signal: string | null = null): void {
    if (this.ended) return;
    this.ended = true;
    this.emit("exit", code, signal);
  }
}

/** What a daemon is sent over its control connection. */
export class FakeControl implements DaemonControl {
  readonly open = true;
  readonly shutdowns: string[] = [];
  readonly interrupts: string[] = [];
  abort(): void {
    // Not used by these tests.
  }
  interrupt(id: string): void {
    this.interrupts.push(id);
  }
  recall(): void {
    // Not used by these tests.
  }
  shutdown(reason: string): void {
    this.shutdowns.push(reason);
  }
  destroy(): void {
    // Nothing to close.
  }
}

class QuietSocket extends Duplex {
  setNoDelay(): this {
    return this;
  }
  override _read(): void {
    // The daemon sends nothing.
  }
  override _write(_chunk: Buffer, _encoding: string, done: () => void): void {
    done();
  }
}

export class World {
  readonly lines: string[] = [];
  readonly children: FakeChild[] = [];
  readonly controls = new Map<number, FakeControl>();
  readonly rss = new Map<number, number>();
  readonly fatal: string[] = [];
  readonly timers: Timers = { ...systemTimers, now: () => Date.now() };
  readonly log = new ErrorLog({ write: (line: string) => this.lines.push(line) }, "debug");
  readonly threads: ThreadDispatcher<DaemonProcess>;
  readonly processes: DaemonProcesses;
  readonly supervisor: Supervisor;

  private constructor(readonly config: ServerConfig) {
    const launch = (): FakeChild => {
      const child = new FakeChild();
      this.children.push(child);
      return child;
    };
    ({
      threads: this.threads,
      processes: this.processes,
      supervisor: this.supervisor,
    } = superviseDaemons(config, this.log, launch, {
      timers: this.timers,
      readRss: (pid) => Promise.resolve(this.rss.get(pid) ?? null),
      onFatal: (message) => this.fatal.push(message),
    }));
  }

  /** A world whose config is `wsgi-express start-server app.wsgi ...args`; its
   *  processes started (mock timers must be enabled first). */
  static async start(args: readonly string[] = []): Promise<World> {
    const context = fakeContext();
    const argv = ["start-server", "app.wsgi", ...args];
    const world = new World(await resolveConfig(parseArgs(argv, context.env), context));
    world.supervisor.start();
    for (let index = 0; index < world.processes.count; index++) world.processes.spawn(index);
    return world;
  }

  /** The process serving slot `index`. */
  serving(index = 0): DaemonProcess {
    const daemon = this.processes.serving[index];
    if (!daemon) throw new Error(`no process serves slot ${index}`);
    return daemon;
  }

  /** `daemon` says HELLO on its control connection, with its app loaded (or not). */
  report(daemon: DaemonProcess, loaded = true): FakeControl {
    const control = new FakeControl();
    this.controls.set(daemon.pid, control);
    daemon.reported(control, { loaded, error: loaded ? null : "ImportError" }, Date.now());
    this.processes.reported(daemon);
    return control;
  }

  /** A thread of `daemon` connects, and (with `busy`) is given a request to run. */
  thread(daemon: DaemonProcess, busy = false, thread = 1): WorkerChannel {
    const socket = new QuietSocket() as unknown as Socket;
    const channel = new WorkerChannel(
      socket,
      new FrameDecoder(),
      daemon.pid,
      thread,
      (lost, why) => {
        channelClosed(this, lost, why);
      },
    );
    daemon.addChannel(channel);
    if (busy) channel.assign(request(), Date.now());
    else this.threads.add(channel);
    return channel;
  }

  logged(pattern: RegExp): number {
    return this.lines.filter((line) => pattern.test(line)).length;
  }
}

/** A request that waits in the queue (it is never written ahead) and records how it
 *  was answered without a daemon. */
export function request(): PendingRequest & { expired: number[] } {
  const expired: number[] = [];
  return {
    id: String(nextPid++),
    path: "/",
    sendsWhole: false,
    queuedAt: Date.now(),
    wanted: true,
    bodySent: true,
    expired,
    expire: (status) => expired.push(status),
    start: () => undefined,
    startAhead: () => false,
    promoted: () => undefined,
    recalled: () => undefined,
    onFrame: () => undefined,
    onChannelLost: () => undefined,
    onDrain: () => undefined,
  };
}

/** Lets the supervisor's loop finish what it has (the check awaits RSS readings);
 *  bounded, so that a loop that never settles fails the test instead of hanging it. */
export async function settle(world: World): Promise<void> {
  for (let turn = 0; turn < 1000; turn++) {
    await new Promise((resolve) => setImmediate(resolve));
    if (world.supervisor.idle) return;
  }
  throw new Error("the supervisor's loop did not settle");
}
