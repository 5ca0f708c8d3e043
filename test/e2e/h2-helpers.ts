/**
 * An HTTP/2 client for the e2e tests: node's http2 client over TLS to 127.0.0.1 with the
 * test CA, one session per call unless one is given.
 */
import { connect, type ClientHttp2Session, type OutgoingHttpHeaders } from "node:http2";
import type { Readable } from "node:stream";

export interface H2Response {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Buffer;
}

/** A session to https://localhost:PORT (over 127.0.0.1), verified against `ca`. */
export function h2Session(port: number, ca: string): Promise<ClientHttp2Session> {
  return new Promise((resolve, reject) => {
    const session = connect(`https://localhost:${port}`, {
      ca,
      servername: "localhost",
      host: "127.0.0.1",
    });
    session.once("error", reject);
    session.once("connect", () => {
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
