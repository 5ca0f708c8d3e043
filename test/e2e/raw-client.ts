/** A raw socket client that also tells whether the server closed the connection. */
import { connect } from "node:net";

export interface RawResult {
  /** Everything received, as latin-1 text. */
  readonly text: string;
  /** True when the server closed the connection (before `quietMs` of silence). */
  readonly closed: boolean;
}

/** Writes `bytes` (or a list of pieces, `gapMs` apart) and collects the answer until the
 *  server closes or stays quiet for `quietMs`. */
export function rawTalk(
  port: number,
  bytes: string | readonly string[],
  options: { quietMs?: number; gapMs?: number } = {},
): Promise<RawResult> {
  const quietMs = options.quietMs ?? 1500;
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    const chunks: Buffer[] = [];
    let settled = false;
    const finish = (closed: boolean): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ text: Buffer.concat(chunks).toString("latin1"), closed });
    };
    const timer = setTimeout(() => {
      finish(false);
    }, quietMs);
    socket.on("data", (chunk) => {
      chunks.push(chunk);
      timer.refresh();
    });
    socket.on("error", () => {
      finish(true);
    });
    socket.on("close", () => {
      finish(true);
    });
    const pieces = typeof bytes === "string" ? [bytes] : bytes;
    let index = 0;
    const next = (): void => {
      const piece = pieces[index++];
      if (piece === undefined || socket.destroyed) return;
      socket.write(Buffer.from(piece, "latin1"));
      if (index < pieces.length) setTimeout(next, options.gapMs ?? 0);
    };
    next();
  });
}
