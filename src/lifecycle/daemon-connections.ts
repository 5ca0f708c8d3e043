/**
 * The daemons' connections to the front end, each introduced by a HELLO (listener.ts
 * checks its token): one control connection per process, which makes the process
 * ready, and one per worker thread, which becomes an idle channel for the dispatcher.
 */
import type { Socket } from "node:net";
import { ControlChannel } from "../daemon/control-channel.js";
import type { ThreadDispatcher } from "../daemon/thread-dispatcher.js";
import { WorkerChannel } from "../daemon/worker-channel.js";
import type { ErrorLog } from "../log/error-log.js";
import type { FrameDecoder } from "../protocol/frames.js";
import type { Hello } from "../protocol/messages.js";
import type { DaemonProcess } from "./daemon-process.js";
import type { DaemonProcesses } from "./daemon-processes.js";

export interface ConnectionContext {
  readonly processes: DaemonProcesses;
  readonly threads: ThreadDispatcher<DaemonProcess>;
  readonly log: ErrorLog;
  readonly now: () => number;
  /** The daemon asked to be replaced (control RECYCLE). */
  asked(daemon: DaemonProcess, reason: string): void;
}

export function acceptDaemon(
  context: ConnectionContext,
  hello: Hello,
  socket: Socket,
  decoder: FrameDecoder,
): void {
  const daemon = context.processes.get(hello.pid);
  if (!daemon || daemon.exited) {
    socket.destroy();
    return;
  }
  if (hello.role === "control") {
    acceptControl(context, daemon, hello, socket, decoder);
    return;
  }
  const channel = new WorkerChannel(socket, decoder, hello.pid, hello.thread, (lost, reason) => {
    channelClosed(context, lost, reason);
  });
  channel.readsBodyFiles = hello.bodyFiles === true;
  daemon.addChannel(channel);
  // A thread that connects is idle; it has not finished a request (which would count
  // towards --maximum-requests: with more threads than that, a recycle loop).
  if (!daemon.acceptsRequests) channel.close("process is draining");
  else context.threads.add(channel);
}

function acceptControl(
  context: ConnectionContext,
  daemon: DaemonProcess,
  hello: Hello,
  socket: Socket,
  decoder: FrameDecoder,
): void {
  const { processes, threads, log, now } = context;
  const control = new ControlChannel(socket, decoder, {
    onHeartbeat: () => {
      daemon.heartbeat(now());
    },
    onRecalled: (answer) => {
      threads.answered(daemon, answer);
    },
    onRecycle: (reason) => {
      context.asked(daemon, reason);
    },
    onProblem: (message) => {
      log.warn(`daemon ${daemon.pid}: ${message}`);
    },
  });
  const app = hello.app ?? { loaded: false, error: "daemon did not report its app" };
  daemon.reported(control, app, now());
  processes.reported(daemon, hello.python);
}

/** A thread's connection closed. Unexpected (the daemon was serving): the daemon takes
 *  no new request, before a request waiting ahead on this channel is handed on, so that
 *  it never goes to another thread of a daemon that is most likely dead. */
export function channelClosed(
  context: Pick<ConnectionContext, "processes" | "threads" | "log">,
  channel: WorkerChannel,
  reason: string,
): void {
  const daemon = context.processes.get(channel.pid);
  const unexpected = daemon?.acceptsRequests === true;
  if (daemon && unexpected) {
    context.log.warn(
      `lost thread ${channel.thread} of daemon ${channel.pid}: ${reason}; no new requests go to it`,
    );
    context.processes.lostThread(daemon);
  }
  context.threads.remove(channel);
  daemon?.removeChannel(channel);
  if (daemon && unexpected) context.processes.settleLoss(daemon);
}
