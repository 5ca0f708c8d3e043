/**
 * The Unix socket every daemon thread connects to. It lives in a directory only the
 * server's user can enter, and a connection must also present the per-server token
 * in its first frame (HELLO) or it is closed at once.
 */
import { chmodSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { timingSafeEqual } from "node:crypto";
import {
  FrameDecoder,
  FrameType,
  HEADER_SIZE,
  MAX_PAYLOAD,
  ProtocolError,
} from "../protocol/frames.js";
import { DAEMON_READ, readThroughPool } from "./daemon-socket.js";
import { daemonReadBuffers } from "./read-buffer-pool.js";
import { decodeHello, PROTOCOL_VERSION, type Hello } from "../protocol/messages.js";

const HELLO_TIMEOUT_MS = 10_000;

export interface HelloHandler {
  (hello: Hello, socket: Socket, decoder: FrameDecoder): void;
}

export interface RejectHandler {
  (reason: string): void;
}

export function listenForDaemons(
  path: string,
  token: string,
  onHello: HelloHandler,
  onReject: RejectHandler,
): Promise<Server> {
  const server = createServer({ pauseOnConnect: true }, (accepted) => {
    awaitHello(readThroughPool(accepted, daemonReadBuffers), token, onHello, onReject);
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(path, () => {
      server.off("error", reject);
      // Daemons running as --user must be able to connect; who can is decided by the
      // private socket directory (0700, owned by that user), not by the socket's mode.
      chmodSync(path, 0o666);
      resolve(server);
    });
  });
}

function awaitHello(
  socket: Socket,
  token: string,
  onHello: HelloHandler,
  onReject: RejectHandler,
): void {
  // Response bodies are only forwarded to the client: pass them through as they arrive.
  // The read buffer is used again: a partial frame held for the next read is copied.
  const decoder = new FrameDecoder({ streamed: [FrameType.RESPONSE_BODY], copyHeld: true });
  const reject = (reason: string): void => {
    socket.destroy();
    onReject(reason);
  };
  socket.setTimeout(HELLO_TIMEOUT_MS, () => {
    reject("daemon connection sent no HELLO in time");
  });
  socket.on("error", () => socket.destroy());
  // The HELLO frame is split off by hand, not by the decoder: what follows it in the same
  // read (a busy front end reads late, and by then the control connection has sent its
  // first HEARTBEAT, or a RECYCLE) belongs to the channel, which gets it below.
  let start: Buffer | null = null;
  const onData = (chunk: Buffer): void => {
    const data = start === null ? chunk : Buffer.concat([start, chunk]);
    let hello: Hello;
    let end: number;
    try {
      end = helloEnd(data);
      if (data.length < end) {
        start = Buffer.from(data);
        return;
      }
      hello = decodeHello(data.subarray(HEADER_SIZE, end));
    } catch (error) {
      reject(error instanceof Error ? error.message : String(error));
      return;
    }
    if (hello.protocol !== PROTOCOL_VERSION) {
      reject(`daemon speaks protocol ${hello.protocol}, expected ${PROTOCOL_VERSION}`);
      return;
    }
    if (!sameToken(hello.token, token)) {
      reject("daemon connection presented a wrong token");
      return;
    }
    socket.off(DAEMON_READ, onData);
    socket.setTimeout(0);
    onHello(hello, socket, decoder);
    // Still within the read that brought it, so a view of the read buffer is valid.
    if (data.length > end && !socket.destroyed) socket.emit(DAEMON_READ, data.subarray(end));
  };
  socket.on(DAEMON_READ, onData);
}

/** Where the first frame, which must be a HELLO, ends in `data` (Infinity: its header
 *  has not all come yet). */
export function helloEnd(data: Buffer): number {
  if (data.length < HEADER_SIZE) return Infinity;
  const length = data.readUInt32BE(1);
  if (data[0] !== FrameType.HELLO || length > MAX_PAYLOAD) {
    throw new ProtocolError("bad-message", "a daemon connection must start with one HELLO");
  }
  return HEADER_SIZE + length;
}

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
