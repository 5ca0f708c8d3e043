/**
 * Back ends for the reverse proxy's e2e tests, started by the test itself: a node:http
 * server (on 127.0.0.1 port 0, or on a Unix socket) that answers each path in one way,
 * with a WebSocket echo (the `ws` package) on its upgrade requests.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Readable } from "node:stream";
import { WebSocketServer } from "ws";

/** What the back end saw of one request. */
export interface Seen {
  readonly url: string;
  readonly method: string;
  readonly headers: IncomingMessage["headers"];
  readonly bodyBytes: number;
  readonly remotePort: number;
}

export interface Backend {
  readonly server: Server;
  /** 127.0.0.1's port, or 0 on a Unix socket. */
  readonly port: number;
  /** Every request answered, in order. */
  readonly seen: Seen[];
  /** Bytes of `/big` bodies made so far (each piece is made when the socket takes it). */
  readonly produced: () => number;
  /** `/hold` requests waiting for their answer now, and the most there ever were. */
  readonly held: () => { now: number; most: number };
  /** Answers the oldest `/hold` request waiting. */
  readonly releaseOne: () => void;
  readonly close: () => Promise<void>;
}

/** A body of `bytes` zero bytes, made piece by piece as it is read: never in memory. */
export function generated(bytes: number, piece = 64 * 1024): Readable {
  const block = Buffer.alloc(piece);
  let left = bytes;
  return new Readable({
    read() {
      if (left <= 0) {
        this.push(null);
        return;
      }
      const size = Math.min(piece, left);
      left -= size;
      this.push(size === piece ? block : block.subarray(0, size));
    },
  });
}

/** What a back end keeps of its `/hold` requests: answered one at a time by the test. */
interface Holds {
  readonly waiting: ServerResponse[];
  most: number;
}

/** `/hold` answers 200 when the test releases it; `/hang` never answers; `/cut` sends 10 of 100 bytes then closes; `/stall` sends 10
 *  of 100 and nothing more; `/redirect` names
 *  the back end's own URL; `/big?bytes=N` streams N bytes; anything else answers what
 *  it saw, as JSON, once the body is read (and counted, never kept). */
function answer(
  req: IncomingMessage,
  res: ServerResponse,
  seen: Seen[],
  port: () => number,
  produced: (bytes: number) => void,
  holds: Holds,
): void {
  let bodyBytes = 0;
  req.on("data", (chunk: Buffer) => (bodyBytes += chunk.length));
  req.on("end", () => {
    const url = req.url ?? "/";
    const record = {
      url,
      method: req.method ?? "",
      headers: req.headers,
      bodyBytes,
      remotePort: req.socket.remotePort ?? 0,
    };
    seen.push(record);
    if (url.endsWith("/hang")) return;
    if (url.endsWith("/hold")) {
      holds.waiting.push(res);
      holds.most = Math.max(holds.most, holds.waiting.length);
      return;
    }
    if (url.endsWith("/cut")) {
      res.writeHead(200, { "Content-Length": 100 });
      res.write(Buffer.alloc(10), () => res.destroy());
      return;
    }
    if (url.endsWith("/stall")) {
      res.writeHead(200, { "Content-Length": 100 });
      res.write(Buffer.alloc(10));
      return;
    }
    if (url.endsWith("/redirect")) {
      res.writeHead(302, { Location: `http://127.0.0.1:${port()}/v1/next?x=1` });
      res.end();
      return;
    }
    const big = /\/big\?bytes=(\d+)$/.exec(url);
    if (big) {
      res.writeHead(200, { "Content-Length": big[1] });
      const body = generated(Number(big[1]));
      body.on("data", (piece: Buffer) => {
        produced(piece.length);
      });
      body.pipe(res);
      return;
    }
    res.writeHead(200, {
      "Content-Type": "application/json",
      "Set-Cookie": ["a=1; Path=/v1", "b=2; Path=/"],
      Connection: "keep-alive, X-Back-Hop",
      "X-Back-Hop": "1",
    });
    res.end(JSON.stringify(record));
  });
}

/** Starts a back end on 127.0.0.1 (or on `socketPath`). Upgrades to `/ws-refuse` get
 *  403 "refused"; others are a WebSocket echo of text and binary messages. */
export async function startBackend(socketPath?: string): Promise<Backend> {
  const seen: Seen[] = [];
  let port = 0;
  let produced = 0;
  const holds: Holds = { waiting: [], most: 0 };
  const server = createServer((req, res) => {
    answer(
      req,
      res,
      seen,
      () => port,
      (bytes) => (produced += bytes),
      holds,
    );
  });
  const wss = new WebSocketServer({ noServer: true });
  wss.on("connection", (ws) => {
    ws.on("message", (data, isBinary) => {
      ws.send(data, { binary: isBinary });
    });
  });
  server.on("upgrade", (req: IncomingMessage, socket, head: Buffer) => {
    seen.push({
      url: req.url ?? "",
      method: "GET",
      headers: req.headers,
      bodyBytes: 0,
      remotePort: 0,
    });
    if ((req.url ?? "").endsWith("/ws-refuse")) {
      socket.end("HTTP/1.1 403 Forbidden\r\nContent-Length: 7\r\nConnection: close\r\n\r\nrefused");
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit("connection", ws, req));
  });
  await new Promise<void>((resolve) => {
    if (socketPath === undefined) server.listen(0, "127.0.0.1", resolve);
    else server.listen(socketPath, resolve);
  });
  port = socketPath === undefined ? (server.address() as AddressInfo).port : 0;
  return {
    server,
    port,
    seen,
    produced: () => produced,
    held: () => ({ now: holds.waiting.length, most: holds.most }),
    releaseOne: () => {
      holds.waiting.shift()?.end("released");
    },
    close: () =>
      new Promise((resolve) => {
        for (const client of wss.clients) client.terminate();
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}

/** A port nothing listens on: bound, then closed. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) =>
    server.close(() => {
      resolve();
    }),
  );
  return port;
}
