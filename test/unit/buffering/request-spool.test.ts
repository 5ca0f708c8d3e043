import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { open } from "node:fs/promises";
import type { IncomingMessage } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { SpoolBudget } from "../../../src/buffering/spool-budget.js";
import {
  RequestSpooler,
  SpoolRefusal,
  type SpoolSettings,
  type SpooledBody,
} from "../../../src/buffering/request-spool.js";
import { SpoolFiles, type SpoolFileSource } from "../../../src/buffering/spool-files.js";
import { eventually } from "../../e2e/harness.js";

/** Enough of a request for the spool: a body stream, its headers and `complete`. */
function request(headers: Record<string, string>): IncomingMessage & PassThrough {
  const body = new PassThrough();
  const req = Object.assign(body, { headers, complete: false });
  body.once("end", () => (req.complete = true));
  return req as unknown as IncomingMessage & PassThrough;
}

function spoolDirectory(t: { after: (fn: () => void) => void }): string {
  const directory = mkdtempSync(join(tmpdir(), "wsgi-express-spool-"));
  t.after(() => {
    rmSync(directory, { recursive: true, force: true });
  });
  return directory;
}

/** Spool files in a fresh directory, closed after the test. */
function pooled(t: { after: (fn: () => void) => void }, directory = spoolDirectory(t)): SpoolFiles {
  const files = new SpoolFiles(directory);
  t.after(() => {
    files.close();
  });
  return files;
}

/** One file, opened by `open`, given out once and closed when it comes back. */
function oneFile(opener: () => ReturnType<typeof open>): SpoolFileSource {
  return {
    take: async () => ({ handle: await opener(), size: 0 }),
    give: (file) => {
      void file.handle.close();
    },
  };
}

function spooler(settings: Partial<SpoolSettings> & Pick<SpoolSettings, "files">) {
  const warnings: string[] = [];
  const budget = settings.budget ?? new SpoolBudget(1 << 20);
  const spool = new RequestSpooler({
    budget,
    limitRequestBody: 0,
    warn: (message) => warnings.push(message),
    ...settings,
  });
  return { spool, budget, warnings };
}

async function contents(body: SpooledBody): Promise<Buffer> {
  const file = Buffer.alloc(body.length);
  await body.file.read(file, 0, body.length, 0);
  return Buffer.concat([file, ...body.tail]);
}

test("a declared body is read into an unlinked file, its length held from the budget", async (t) => {
  const directory = spoolDirectory(t);
  const { spool, budget } = spooler({ files: pooled(t, directory) });
  const req = request({ "content-length": "300000" });
  const spooling = spool.spool(req);
  for (let i = 0; i < 3; i += 1) req.write(Buffer.alloc(100_000, i + 1));
  req.end();
  const body = await spooling;
  assert.ok(body);
  assert.equal(body.length, 300_000);
  assert.equal(body.complete, true);
  assert.deepEqual(readdirSync(directory), [], "no name left in the directory");
  const bytes = await contents(body);
  assert.equal(bytes[0], 1);
  assert.equal(bytes[299_999], 3);
  assert.equal(budget.inUse, 300_000);
  body.dispose();
  body.dispose();
  assert.equal(budget.inUse, 0, "given back once");
});

test("a body the budget cannot hold is not spooled: it streams", async (t) => {
  const { spool, budget } = spooler({
    files: pooled(t),
    budget: new SpoolBudget(100_000),
  });
  assert.equal(await spool.spool(request({ "content-length": "100001" })), null);
  assert.equal(budget.inUse, 0);
});

test("a chunked body that outgrows the budget leaves the rest in the request", async (t) => {
  const { spool, budget } = spooler({
    files: pooled(t),
    budget: new SpoolBudget(150_000),
  });
  const req = request({ "transfer-encoding": "chunked" });
  const spooling = spool.spool(req);
  req.write(Buffer.alloc(100_000, 1));
  req.write(Buffer.alloc(100_000, 2));
  req.write(Buffer.alloc(100_000, 3));
  const body = await spooling;
  assert.ok(body);
  assert.equal(body.complete, false);
  assert.equal(req.isPaused(), true, "the client waits until the app reads on");
  const spooled = await contents(body);
  assert.equal(spooled.length, 200_000, "what came: the file, then the chunk past the budget");
  assert.equal(spooled[199_999], 2);
  assert.equal(budget.inUse, 100_000, "the chunk past it was not counted");
  const rest: Buffer[] = [];
  req.on("data", (chunk: Buffer) => rest.push(chunk));
  req.resume();
  req.end();
  await new Promise((resolve) => req.once("end", resolve));
  assert.equal(Buffer.concat(rest)[0], 3);
  body.dispose();
  assert.equal(budget.inUse, 0);
});

test("a chunked body past --limit-request-body is refused with 413", async (t) => {
  const { spool, budget } = spooler({
    files: pooled(t),
    limitRequestBody: 150_000,
  });
  const req = request({ "transfer-encoding": "chunked" });
  const spooling = spool.spool(req);
  req.write(Buffer.alloc(100_000));
  req.write(Buffer.alloc(100_000));
  await assert.rejects(spooling, (error) => error instanceof SpoolRefusal && error.status === 413);
  // Given back once the write under way has landed.
  await eventually(
    () => budget.inUse,
    (bytes) => bytes === 0,
  );
});

test("a client gone before the end: rejected, file closed, budget given back", async (t) => {
  let file: Awaited<ReturnType<typeof open>> | undefined;
  const { spool, budget } = spooler({
    files: oneFile(async () => (file = await open(join(spoolDirectory(t), "f"), "w+"))),
  });
  const req = request({ "content-length": "200000" });
  const spooling = spool.spool(req);
  req.write(Buffer.alloc(100_000));
  req.destroy();
  await assert.rejects(spooling, /went away/);
  assert.equal(budget.inUse, 0);
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(file?.fd, -1, "closed");
});

test("a client gone while its file was being made is noticed too", async () => {
  let made: () => void = () => undefined;
  const { spool, budget } = spooler({
    files: oneFile(
      () =>
        new Promise((resolve) => {
          made = () => {
            resolve(open("/dev/null", "r+"));
          };
        }),
    ),
  });
  const req = request({ "content-length": "200000" });
  const spooling = spool.spool(req);
  req.destroy();
  await new Promise((resolve) => req.once("close", resolve));
  made();
  await assert.rejects(spooling, /went away/);
  assert.equal(budget.inUse, 0);
});

test("no file to be had: a warning, and the body streams", async () => {
  const { spool, budget, warnings } = spooler({
    files: new SpoolFiles("/nonexistent/request-bodies"),
  });
  assert.equal(await spool.spool(request({ "content-length": "200000" })), null);
  assert.equal(budget.inUse, 0);
  assert.match(warnings.join("\n"), /cannot spool a request body: .*ENOENT.*streaming it instead/);
});

test("a full disk: what was not written follows the file, the rest streams", async () => {
  const { spool, warnings } = spooler({ files: oneFile(() => open("/dev/full", "r+")) });
  const req = request({ "content-length": "300000" });
  const spooling = spool.spool(req);
  req.write(Buffer.alloc(100_000, 7));
  const body = await spooling;
  assert.ok(body);
  assert.equal(body.complete, false);
  assert.equal(body.length, 0);
  assert.equal(Buffer.concat(body.tail).length, 100_000);
  assert.match(warnings.join("\n"), /ENOSPC.*streaming the rest/);
  body.dispose();
});

test("what is spooled: large or chunked bodies, not 100-continue, not with a 0 budget", () => {
  const { spool } = spooler({ files: oneFile(() => open("/dev/null")) });
  const len = (n: number) => request({ "content-length": String(n) });
  assert.equal(spool.wants(len(64 * 1024), false), false, "read into memory instead");
  assert.equal(spool.wants(len(64 * 1024 + 1), false), true);
  assert.equal(spool.wants(request({ "transfer-encoding": "chunked" }), false), true);
  assert.equal(spool.wants(len(1 << 20), true), false, "the app decides first");
  const off = spooler({ files: oneFile(() => open("/dev/null")), budget: new SpoolBudget(0) });
  assert.equal(off.spool.wants(len(1 << 20), false), false);
});

test("spool files are used again, unless they failed, grew large, or enough are kept", async (t) => {
  const directory = spoolDirectory(t);
  const files = new SpoolFiles(directory, 2, 1000);
  t.after(() => {
    files.close();
  });
  const first = await files.take();
  assert.deepEqual(readdirSync(directory), [], "unlinked at once");
  files.give(first, true);
  const again = await files.take();
  assert.equal(again.handle, first.handle);
  const [a, b, c] = [again, await files.take(), await files.take()];
  files.give(a, true);
  files.give(b, true);
  files.give(c, true);
  assert.equal(files.idleCount, 2);
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(c.handle.fd, -1, "past the number kept: closed");
  const large = await files.take();
  large.size = 1001;
  files.give(large, true);
  const failed = await files.take();
  files.give(failed, false);
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(large.handle.fd, -1);
  assert.equal(failed.handle.fd, -1);
});

test("a body over an older, longer one reads back as itself", async (t) => {
  const { spool } = spooler({ files: pooled(t) });
  const send = async (bytes: Buffer) => {
    const req = request({ "content-length": String(bytes.length) });
    const spooling = spool.spool(req);
    req.end(bytes);
    const body = await spooling;
    assert.ok(body);
    const back = await contents(body);
    body.dispose();
    return back;
  };
  assert.equal((await send(Buffer.alloc(200_000, 1))).length, 200_000);
  const second = await send(Buffer.alloc(100_000, 2));
  assert.equal(second.length, 100_000);
  assert.ok(second.every((byte) => byte === 2));
});

test("a file whose write is under way goes back only once the write is done", async () => {
  let finishWrite: () => void = () => undefined;
  const given: boolean[] = [];
  const handle = {
    writev: (buffers: Buffer[]) =>
      new Promise((resolve) => {
        finishWrite = () => {
          resolve({ bytesWritten: buffers.reduce((sum, b) => sum + b.length, 0), buffers });
        };
      }),
  } as unknown as Awaited<ReturnType<typeof open>>;
  const { spool } = spooler({
    files: {
      take: () => Promise.resolve({ handle, size: 0 }),
      give: (_file, reusable) => given.push(reusable),
    },
  });
  const req = request({ "content-length": "200000" });
  const spooling = spool.spool(req);
  req.write(Buffer.alloc(100_000));
  await new Promise((resolve) => setImmediate(resolve));
  req.destroy();
  await assert.rejects(spooling, /went away/);
  assert.deepEqual(given, [], "still being written: the next body must not have it");
  finishWrite();
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(given, [true]);
});

test("a file lent to a daemon thread stays out of the pool until it is returned", async (t) => {
  const directory = spoolDirectory(t);
  const given: boolean[] = [];
  let made = 0;
  const { spool, budget } = spooler({
    files: {
      take: async () => ({ handle: await open(join(directory, String(++made)), "w+"), size: 0 }),
      give: (file, reusable) => {
        given.push(reusable);
        void file.handle.close();
      },
    },
  });
  const spoolOne = async () => {
    const req = request({ "content-length": "100000" });
    const spooling = spool.spool(req);
    req.end(Buffer.alloc(100_000));
    const body = await spooling;
    assert.ok(body);
    return body;
  };
  const clean = await spoolOne();
  const returnClean = clean.lend();
  clean.dispose();
  assert.deepEqual(given, [], "the thread may still be reading it");
  assert.equal(budget.inUse, 100_000, "its bytes are still on disk");
  returnClean(true);
  returnClean(true);
  assert.deepEqual(given, [true], "returned once, and reusable");
  const lost = await spoolOne();
  const returnLost = lost.lend();
  returnLost(false);
  assert.deepEqual(given, [true], "not disposed yet");
  lost.dispose();
  assert.deepEqual(given, [true, false], "a thread that may read on: the file is not reused");
  assert.equal(budget.inUse, 0);
});

test("kept files are closed once no body has come for a while", async (t) => {
  const files = new SpoolFiles(spoolDirectory(t), 4, 1000, 50);
  t.after(() => {
    files.close();
  });
  const [a, b] = [await files.take(), await files.take()];
  files.give(a, true);
  files.give(b, true);
  assert.equal(files.idleCount, 2);
  await eventually(
    () => files.idleCount,
    (count) => count === 0,
  );
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(a.handle.fd, -1);
  assert.equal(b.handle.fd, -1);
  const c = await files.take();
  assert.notEqual(c.handle.fd, -1, "new files are made as before");
  files.give(c, true);
  assert.equal(files.idleCount, 1);
});

test("a spool directory removed while the server runs is made again", async (t) => {
  const directory = join(spoolDirectory(t), "request-bodies");
  const files = new SpoolFiles(directory);
  t.after(() => {
    files.close();
  });
  const file = await files.take();
  assert.notEqual(file.handle.fd, -1);
  assert.deepEqual(readdirSync(directory), [], "made, and the file unlinked in it");
  await file.handle.close();
  rmSync(directory, { recursive: true });
  const again = await files.take();
  assert.notEqual(again.handle.fd, -1);
  await again.handle.close();
});
