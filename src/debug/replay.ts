/**
 * `wsgi-express replay DIRECTORY URL`: sends each recorded request (--enable-recorder)
 * to a server again and reports the responses whose status or body differ from the
 * recorded ones. Exit status 0 when none differ, 1 when some do.
 */
import { request } from "node:http";
import { WsgiExpressError } from "../errors.js";
import { readRecordings, type Recording } from "./recordings.js";

export interface Replayed {
  readonly status: number;
  readonly body: Buffer;
}

export async function replay(
  directory: string,
  base: string,
  out: NodeJS.WritableStream,
): Promise<number> {
  const recordings = readRecordings(directory);
  let differing = 0;
  for (const recording of recordings) {
    const got = await send(recording, base);
    const difference = compare(recording, got);
    if (difference !== null) differing += 1;
    out.write(
      `${recording.key} ${recording.method} ${recording.target}: ${difference ?? "same"}\n`,
    );
  }
  out.write(`${recordings.length} requests replayed, ${differing} differ\n`);
  return differing === 0 ? 0 : 1;
}

export function compare(recording: Recording, got: Replayed): string | null {
  const differences: string[] = [];
  if (recording.status !== got.status)
    differences.push(`status ${recording.status ?? "none"} -> ${got.status}`);
  if (!recording.responseBody.equals(got.body)) {
    differences.push(`body ${recording.responseBody.length} -> ${got.body.length} bytes`);
  }
  return differences.length === 0 ? null : `differs (${differences.join(", ")})`;
}

function send(recording: Recording, base: string): Promise<Replayed> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const outgoing = request(
      {
        host: url.hostname,
        port: url.port,
        method: recording.method,
        path: recording.target,
        // A raw header list gets no Host from node:http.
        headers: [
          "Host",
          url.host,
          ...recording.headers.flat(),
          "Content-Length",
          String(recording.body.length),
        ],
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () => {
          resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks) });
        });
        // A response cut short is compared as far as it came.
        response.on("error", () => {
          resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks) });
        });
      },
    );
    outgoing.on("error", (error) => {
      reject(
        new WsgiExpressError("WSGIX_ERR_REPLAY", `replay: cannot reach ${base}: ${error.message}`),
      );
    });
    outgoing.end(recording.body);
  });
}
