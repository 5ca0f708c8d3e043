import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { open, type FileHandle } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { SpoolBudget } from "../../../src/buffering/spool-budget.js";
import { ResponseSpool, type HeldPiece } from "../../../src/buffering/response-spool.js";
import type { SpoolFile, SpoolFileSource } from "../../../src/buffering/spool-files.js";
import { eventually } from "../../e2e/harness.js";

/** A client that takes nothing until told to read, then everything. */
class SlowClient extends Writable {
  readonly received: Buffer[] = [];
  private held: (() => void)[] = [];
  private reading = false;

  constructor() {
    super({ highWaterMark: 1024 });
  }

  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.received.push(chunk);
    if (this.reading) done();
    else this.held.push(done);
  }

  readOn(): void {
    this.reading = true;
    for (const done of this.held.splice(0)) done();
  }

  get body(): Buffer {
    return Buffer.concat(this.received);
  }
}

/** More than the client takes before it must be waited for. */
const HEAD = Buffer.alloc(2048, "h");

/** Files from `opener`, one at a time; records what comes back. */
function files(opener: () => ReturnType<typeof open>) {
  const given: { file: SpoolFile; reusable: boolean }[] = [];
  const source: SpoolFileSource = {
    take: async () => ({ handle: await opener(), size: 0 }),
    give: (file, reusable) => {
      given.push({ file, reusable });
      void file.handle.close();
    },
  };
  return { source, given };
}

function scratchFile(t: { after: (fn: () => void) => void }) {
  const directory = mkdtempSync(join(tmpdir(), "wsgi-express-response-spool-"));
  t.after(() => {
    rmSync(directory, { recursive: true, force: true });
  });
  let made = 0;
  return files(() => open(join(directory, String((made += 1))), "w+"));
}

interface Harness {
  readonly client: SlowClient;
  readonly spool: ResponseSpool;
  readonly budget: SpoolBudget;
  readonly warnings: string[];
  /** Times the daemon was paused, and resumed. */
  readonly daemon: { paused: number; resumed: number };
  readonly cuts: () => number;
}

function harness(source: SpoolFileSource, budgetBytes = 64 << 20): Harness {
  const client = new SlowClient();
  // The client is full already: what the relay wrote before it engaged the spool.
  client.write(HEAD);
  const budget = new SpoolBudget(budgetBytes);
  const warnings: string[] = [];
  const daemon = { paused: 0, resumed: 0 };
  let cuts = 0;
  const spool = new ResponseSpool(
    { files: source, budget, warn: (message) => warnings.push(message) },
    client,
    () => {
      daemon.paused += 1;
      return () => (daemon.resumed += 1);
    },
    () => (cuts += 1),
  );
  spool.engage();
  return { client, spool, budget, warnings, daemon, cuts: () => cuts };
}

/** `count` pieces of `size` bytes, each its own byte value, with loans to repay. */
function pieces(count: number, size: number) {
  const loans = { out: 0 };
  const list: HeldPiece[] = Array.from({ length: count }, (_, index) => {
    loans.out += 1;
    return { buffer: Buffer.alloc(size, index + 1), repay: () => (loans.out -= 1) };
  });
  const body = Buffer.concat([HEAD, ...list.map((piece) => piece.buffer)]);
  return { list, loans, body };
}

const ended = (spool: ResponseSpool): Promise<void> =>
  new Promise((resolve) => {
    spool.end(resolve);
  });

test("what comes while the client is full goes to the file and out in order", async (t) => {
  const { source, given } = scratchFile(t);
  const h = harness(source);
  const { list, loans, body } = pieces(10, 100_000);
  for (const piece of list) h.spool.append(piece);
  assert.equal(h.spool.holding, true);
  await eventually(
    () => loans.out,
    (out) => out === 0,
  );
  const done = ended(h.spool);
  h.client.readOn();
  await done;
  assert.ok(h.client.body.equals(body));
  assert.equal(h.spool.holding, false);
  assert.deepEqual(h.daemon, { paused: 0, resumed: 0 }, "under the window: never paused");
  assert.equal(h.budget.inUse, 0);
  h.spool.dispose();
  assert.deepEqual(
    given.map((entry) => [entry.file.size, entry.reusable]),
    [[1_000_000, true]],
  );
});

test("a full disk: what the file did not take goes out from memory, in order", async () => {
  const { source, given } = files(() => open("/dev/full", "r+"));
  const h = harness(source);
  const { list, loans, body } = pieces(3, 200_000);
  for (const piece of list) h.spool.append(piece);
  await eventually(
    () => h.warnings.join("\n"),
    (text) => /ENOSPC.*held in memory/.test(text),
  );
  const done = ended(h.spool);
  h.client.readOn();
  await done;
  assert.ok(h.client.body.equals(body));
  // The pieces held in memory are repaid once the client has taken them.
  await eventually(
    () => loans.out,
    (out) => out === 0,
  );
  h.spool.dispose();
  assert.deepEqual(
    given.map((entry) => entry.reusable),
    [false],
  );
});

test("past the budget the daemon waits until the spool empties", async (t) => {
  const { source } = scratchFile(t);
  const h = harness(source, 150_000);
  const { list, body } = pieces(2, 100_000);
  for (const piece of list) h.spool.append(piece);
  assert.deepEqual(h.daemon, { paused: 1, resumed: 0 });
  h.client.readOn();
  await eventually(
    () => h.daemon.resumed,
    (resumed) => resumed === 1,
  );
  assert.equal(h.spool.holding, false);
  assert.equal(h.budget.inUse, 0);
  assert.ok(h.client.body.equals(body));
  h.spool.dispose();
});

test("more than a window waiting for the disk pauses the daemon until it catches up", async (t) => {
  const { source } = scratchFile(t);
  const h = harness(source);
  const { list, loans } = pieces(3, 400_000);
  for (const piece of list) h.spool.append(piece);
  assert.equal(h.daemon.paused, 1, "1.2 MB before the file was even open");
  await eventually(
    () => loans.out,
    (out) => out === 0,
  );
  assert.equal(h.daemon.resumed, 1);
  h.spool.dispose();
});

test("dispose repays every loan and gives the file back; later pieces are dropped", async (t) => {
  const { source, given } = scratchFile(t);
  const h = harness(source);
  const { list, loans } = pieces(4, 50_000);
  for (const piece of list.slice(0, 3)) h.spool.append(piece);
  h.spool.dispose();
  assert.equal(loans.out, 1);
  const last = list[3];
  assert.ok(last);
  h.spool.append(last);
  assert.equal(loans.out, 0);
  assert.equal(h.spool.holding, false);
  await eventually(
    () => given.length,
    (count) => count === 1,
  );
  assert.equal(h.budget.inUse, 0);
  assert.ok(h.client.body.equals(HEAD));
});

test("a disk that takes nothing counts as failed, not as a write to try again", async () => {
  let writes = 0;
  const handle = {
    writev: () => {
      writes += 1;
      return Promise.resolve({ bytesWritten: 0, buffers: [] });
    },
    close: () => Promise.resolve(),
  } as unknown as FileHandle;
  const { source } = files(() => Promise.resolve(handle));
  const h = harness(source);
  const { list, body } = pieces(2, 100_000);
  for (const piece of list) h.spool.append(piece);
  await eventually(
    () => h.warnings.join("\n"),
    (text) => /the disk took nothing.*held in memory/.test(text),
  );
  const done = ended(h.spool);
  h.client.readOn();
  await done;
  assert.ok(h.client.body.equals(body));
  assert.equal(writes, 1);
  h.spool.dispose();
});
