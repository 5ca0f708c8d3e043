/**
 * A daemon process's control connection, seen from the front end: heartbeats, recycle
 * requests and RECALLED answers come in; ABORT, INTERRUPT, RECALL and SHUTDOWN go out
 * (docs/protocol.md).
 */
import type { Socket } from "node:net";
import { DAEMON_READ } from "./daemon-socket.js";
import { FrameDecoder, FrameType, type Frame } from "../protocol/frames.js";
import {
  decodeRecalled,
  decodeRecycle,
  encodeAbort,
  encodeInterrupt,
  encodeRecall,
  encodeShutdown,
  type Recalled,
} from "../protocol/messages.js";

export interface ControlEvents {
  /** The daemon's heartbeat thread got the GIL again (--deadlock-timeout). */
  onHeartbeat(): void;
  /** The daemon asks to be replaced (cpu_time_limit, reload_on_changes, SIGUSR1, ...). */
  onRecycle(reason: string): void;
  /** The answer to a RECALL (dispatch-ahead.ts). */
  onRecalled(answer: Recalled): void;
  onProblem(message: string): void;
}

export class ControlChannel {
  constructor(
    private readonly socket: Socket,
    private readonly decoder: FrameDecoder,
    private readonly events: ControlEvents,
  ) {
    socket.on("error", () => socket.destroy());
    socket.on(DAEMON_READ, (chunk: Buffer) => {
      this.receive(chunk);
    });
  }

  get open(): boolean {
    return !this.socket.destroyed;
  }

  /** The client of request `id` went away. */
  abort(id: string): void {
    this.send(encodeAbort(id));
  }

  /** Raise mod_wsgi.RequestTimeout in the thread running request `id`. */
  interrupt(id: string): void {
    this.send(encodeInterrupt(id));
  }

  /** Cancel request `id`, written ahead to worker `thread`, unless it has started. */
  recall(id: string, thread: number): void {
    this.send(encodeRecall(id, thread));
  }

  /** Stop: finish in-flight requests, publish process_stopping with `reason`, exit. */
  shutdown(reason: string): void {
    this.send(encodeShutdown(reason));
  }

  destroy(): void {
    this.socket.destroy();
  }

  private send(frame: Buffer): void {
    if (!this.socket.destroyed) this.socket.write(frame);
  }

  private receive(chunk: Buffer): void {
    let frames: Frame[];
    try {
      frames = this.decoder.push(chunk);
      for (const frame of frames) this.onFrame(frame);
    } catch (error) {
      this.events.onProblem(`control connection: ${(error as Error).message}`);
      this.socket.destroy();
    }
  }

  private onFrame(frame: Frame): void {
    if (frame.type === FrameType.HEARTBEAT) this.events.onHeartbeat();
    else if (frame.type === FrameType.RECYCLE) this.events.onRecycle(decodeRecycle(frame.payload));
    else if (frame.type === FrameType.RECALLED)
      this.events.onRecalled(decodeRecalled(frame.payload));
    else throw new Error(`unexpected frame 0x${frame.type.toString(16)}`);
  }
}
