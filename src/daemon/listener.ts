/**
 * The Unix socket every daemon thread connects to. It lives in a directory only the
 * server's user can enter, and a connection must also present the per-server token
 * in its first frame (HELLO) or it is closed at once.
 */
import { chmodSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { timingSafeEqual } from "node:crypto";
import { FrameDecoder, FrameType, ProtocolError } from "../protocol/frames.js";
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
  const onData = (chunk: Buffer): void => {
    let hello: Hello;
    try {
      const frames = decoder.push(chunk);
      const first = frames[0];
      if (first === undefined) return;
      if (first.type !== FrameType.HELLO || frames.length > 1) {
        throw new ProtocolError("bad-message", "a daemon connection must start with one HELLO");
      }
      hello = decodeHello(first.payload);
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
  };
  socket.on(DAEMON_READ, onData);
}

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
