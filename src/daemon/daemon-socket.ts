/**
 * A daemon connection that reads into pooled buffers (read-buffer-pool.ts) instead of a
 * fresh buffer per read.
 *
 * node offers that (`onread`) only to sockets it creates itself, and net.Server creates
 * the ones it accepts. So the listener accepts with `pauseOnConnect` (nothing is read
 * yet) and moves the connection's handle into a socket of ours. This leans on two things
 * node does not document: the Socket constructor's `handle` option and the `_handle`
 * property, both unchanged since node 0.x and used in net.Server itself. If a node
 * release drops them, the accepted socket is used as it is and reads as before; a test
 * (daemon-socket.test.ts) fails then, so the loss is seen.
 */
import { Socket } from "node:net";
import type { ReadBufferPool } from "./read-buffer-pool.js";

/**
 * The event a daemon socket's bytes arrive in, instead of "data": the chunk is valid only
 * until the listener returns, since the next read overwrites it. What must live longer is
 * copied (FrameDecoder's copyHeld) or lent from the pool (response-relay.ts).
 */
export const DAEMON_READ = "daemonRead";

interface HasHandle {
  _handle: object | null;
}

/** Takes over an accepted (and paused) connection; reads then come as DAEMON_READ. */
export function readThroughPool(accepted: Socket, pool: ReadBufferPool): Socket {
  const inner = accepted as unknown as Partial<HasHandle>;
  const handle = inner._handle;
  if (handle === null || typeof handle !== "object") return readAsBefore(accepted);
  let current = pool.take();
  const socket: Socket = new Socket({
    handle,
    onread: {
      // Called after every read: the buffer for the next one.
      buffer: () => {
        current = pool.next(current);
        return current;
      },
      callback: (bytes: number, buffer: Uint8Array): boolean => {
        socket.emit(DAEMON_READ, Buffer.from(buffer.buffer, buffer.byteOffset, bytes));
        return true;
      },
    },
  } as ConstructorParameters<typeof Socket>[0]);
  // The accepted socket gives up the handle; destroying it then only updates the
  // server's connection count.
  inner._handle = null;
  accepted.destroy();
  socket.once("close", () => {
    pool.drop(current);
  });
  return socket;
}

function readAsBefore(accepted: Socket): Socket {
  accepted.on("data", (chunk: Buffer) => accepted.emit(DAEMON_READ, chunk));
  accepted.resume();
  return accepted;
}
