/**
 * Clients that never read their responses: a response the daemon has finished stops
 * counting towards --max-clients, and --response-memory-size bounds the bytes all such
 * responses hold in memory (the rest goes to the spool). The slow clients are raw
 * sockets that stop reading (spool-helpers.ts).
 */
import type { Socket } from "node:net";
import { test } from "node:test";
import assert from "node:assert/strict";
import { app, eventually, frontEndPid, startServer, type RunningServer } from "./harness.js";
import {
  answeredWithin,
  CHUNKS,
  kernelQueued,
  MB,
  openFileSizes,
  responseFiles,
  seededBody,
  stalledRead,
} from "./spool-helpers.js";

const oneSlot = (...more: string[]): string[] => [
  app("streaming.wsgi"),
  "--threads",
  "1",
  "--max-clients",
  "1",
  ...more,
];

test("finished responses that their clients do not read hold no --max-clients slot", async (t) => {
  const server = await startServer(oneSlot());
  t.after(() => server.stop());
  // Each would hold the one slot until its client read 24 MiB, or --socket-timeout.
  const first = stalledRead(server, 1);
  t.after(() => first.socket.destroy());
  const second = stalledRead(server, 2);
  t.after(() => second.socket.destroy());
  assert.equal(await answeredWithin(server, 10_000), true, "a stalled client held the slot");
  const bodies = await Promise.all([first.readAll(), second.readAll()]);
  assert.ok(bodies[0].equals(seededBody(1, CHUNKS, MB)), "the first body came back changed");
  assert.ok(bodies[1].equals(seededBody(2, CHUNKS, MB)), "the second body came back changed");
});

/** Bytes in the spool once a stalled client's whole response has left the daemon (the
 *  file may still be growing: pieces wait for the disk). */
async function spooledFor(server: RunningServer, seed: number, query?: string): Promise<number> {
  return withStalled(server, seed, query, () => spoolSizes(server).then((sizes) => sizes[0] ?? 0));
}

/**
 * Waits until all but `CHUNKS - 3` MiB of a stalled client's response is out of the front
 * end's memory: in its spool file or in the kernel's socket queues. The file grows after
 * the daemon is done (pieces wait for the disk, more so on a busy machine) and the
 * kernel's share varies with its buffer autotuning, so neither size alone settles at a
 * fixed figure; their sum does. A cap that did not hold would leave the response's
 * --response-buffer-size (8 MiB) in memory, and the sum short of this for good.
 */
async function outOfMemoryFor(server: RunningServer, seed: number, query?: string): Promise<void> {
  await withStalled(server, seed, query, async (socket) => {
    await spoolSizes(server);
    const outside = (): number =>
      (openFileSizes(frontEndPid(server), "/response-bodies/")[0] ?? 0) +
      kernelQueued(socket.localPort ?? 0);
    await eventually(outside, (bytes) => bytes >= (CHUNKS - 3) * MB, 30_000);
  });
}

async function withStalled<T>(
  server: RunningServer,
  seed: number,
  query: string | undefined,
  measure: (socket: Socket) => Promise<T>,
): Promise<T> {
  const slow = stalledRead(server, seed, query);
  try {
    // The one thread is free again: the response is all in memory or in the file.
    assert.equal(await answeredWithin(server, 10_000), true, "the thread was held");
    return await measure(slow.socket);
  } finally {
    slow.socket.destroy();
    await eventually(
      () => responseFiles(server),
      (files) => files.length === 0,
    );
  }
}

const spoolSizes = (server: RunningServer): Promise<number[]> =>
  eventually(
    () => openFileSizes(frontEndPid(server), "/response-bodies/"),
    (found) => found.length === 1,
  );

test("past --response-memory-size a client that is behind is spooled at once", async (t) => {
  const roomy = await startServer(oneSlot());
  t.after(() => roomy.stop());
  const tight = await startServer(oneSlot("--response-memory-size", String(MB)));
  t.after(() => tight.stop());
  // Default: 8 MiB (--response-buffer-size) wait in memory, the rest in the file. With a
  // 1 MiB cap across responses, all but about 1 MiB go to the file (or the kernel).
  const spooledRoomy = await spooledFor(roomy, 3);
  assert.ok(spooledRoomy <= (CHUNKS - 8) * MB, `spooled ${String(spooledRoomy)} by default`);
  await outOfMemoryFor(tight, 3);
});

test("what responses held is given back, whether read in full or dropped", async (t) => {
  const server = await startServer(oneSlot("--response-memory-size", String(16 * MB)));
  t.after(() => server.stop());
  // 48 MiB read in full, then 24 MiB of a client that leaves half-way: three times the cap.
  for (const seed of [4, 5]) {
    const read = stalledRead(server, seed);
    assert.ok((await read.readAll()).equals(seededBody(seed, CHUNKS, MB)));
  }
  const dropped = stalledRead(server, 6);
  assert.equal(await answeredWithin(server, 10_000), true, "the thread was held");
  dropped.socket.destroy();
  // Counted still, the bytes would fill the cap and send this one to the file at once.
  const spooled = await spooledFor(server, 7);
  assert.ok(spooled <= (CHUNKS - 8) * MB, `spooled ${String(spooled)}: the count stayed up`);
});

test("a gzipped response counts what waits for zlib", async (t) => {
  const roomy = await startServer(oneSlot("--compress-responses"));
  t.after(() => roomy.stop());
  const tight = await startServer(
    oneSlot("--compress-responses", "--response-memory-size", String(MB)),
  );
  t.after(() => tight.stop());
  // Noise, which gzip cannot shrink: the client leaves as many bytes unread.
  const query = `chunks=${String(CHUNKS)}&size=${String(MB)}&noise=9&type=text/plain`;
  // By default 8 MiB wait for zlib in memory; the cap counts them, so with it all but
  // about 1 MiB go to the file (or the kernel).
  const spooledRoomy = await spooledFor(roomy, 0, query);
  assert.ok(spooledRoomy <= (CHUNKS - 8) * MB, `spooled ${String(spooledRoomy)} by default`);
  await outOfMemoryFor(tight, 0, query);
});
