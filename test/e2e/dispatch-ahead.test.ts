/**
 * Dispatch-ahead's hazards (bench/PROFILE.md): when no daemon thread is idle, a request
 * may be written to a busy thread's connection to run after its current request. Each
 * test makes "no idle thread" certain (a request naps in the app, the next is sent while
 * it runs) and checks what the client and the app see, as a front-end queue gives it:
 * no waiting behind a slow request, timeouts counted as for a queued request, no 502 when
 * the busy process dies, no run for a client that left, no interleaved bodies.
 * Timings are compared with wide margins only: the machine is shared.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { request as httpRequest, type ClientRequest } from "node:http";
import { connect } from "node:net";
import { join } from "node:path";
import { test, type TestContext } from "node:test";
import { app, eventually, startServer, tempDir, type RunningServer } from "./harness.js";

const APP = app("dispatch_ahead.wsgi");

/** No answer may take longer (a replacement process on a loaded machine included). */
const ANSWER_BOUND_MS = 40_000;

interface Ahead {
  readonly server: RunningServer;
  /** The app's "start TAG" and "end TAG" lines so far. */
  readonly runs: () => string[];
  /** Resolves once request TAG holds its thread. */
  readonly started: (tag: string) => Promise<void>;
}

async function startAhead(t: TestContext, args: string[]): Promise<Ahead> {
  const runsFile = join(tempDir("wsgi-express-ahead-"), "runs");
  writeFileSync(runsFile, "");
  const server = await startServer([APP, "--setenv", "RUNS_FILE", runsFile, ...args]);
  t.after(() => server.stop());
  const runs = (): string[] => readFileSync(runsFile, "utf8").split("\n").filter(Boolean);
  const started = async (tag: string): Promise<void> => {
    await eventually(runs, (lines) => lines.includes(`start ${tag}`));
  };
  return { server, runs, started };
}

interface Answer {
  readonly status: number;
  readonly contentType: string | undefined;
  readonly text: string;
  /** When the whole answer had arrived (ms, Date.now()). */
  readonly endedAt: number;
}

/** The app's answer "TAG PID LENGTH SHA256", split. */
function parse(answer: Answer): { tag: string; pid: number; length: number; sha256: string } {
  const [tag = "", pid = "", length = "", sha256 = ""] = answer.text.split(" ");
  return { tag, pid: Number(pid), length: Number(length), sha256 };
}

/** Rejects, naming `what`, if `promise` has not settled within ANSWER_BOUND_MS. */
async function bounded<T>(what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`${what}: no answer within ${ANSWER_BOUND_MS} ms`));
    }, ANSWER_BOUND_MS);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

interface Upload {
  readonly chunks: readonly string[];
  /** Between two chunks. */
  readonly gapMs: number;
  /** Sent with a Content-Length header; else chunked. */
  readonly declared: boolean;
}

/** Sends GET /?tag=TAG&QUERY (or a POST with `upload`'s chunks) on a fresh connection;
 *  resolves with the answer once it is complete. */
function send(server: RunningServer, tag: string, query = "", upload?: Upload): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (upload?.declared) headers["Content-Length"] = String(upload.chunks.join("").length);
  const method = upload ? "POST" : "GET";
  const answer = new Promise<Answer>((resolve, reject) => {
    const fail = (error: Error): void => {
      reject(new Error(`request ${tag}: ${error.message}`));
    };
    const req = httpRequest(`${server.url}?tag=${tag}${query}`, { method, headers, agent: false });
    req.on("response", (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString();
        const contentType = res.headers["content-type"];
        resolve({ status: res.statusCode ?? 0, contentType, text, endedAt: Date.now() });
      });
      res.on("error", fail);
    });
    req.on("error", fail);
    writeSlowly(req, upload?.chunks ?? [], upload?.gapMs ?? 0);
  });
  return bounded(`request ${tag}`, answer);
}

/** Writes one chunk, then the next after `gapMs`, ..., then ends the request. */
function writeSlowly(req: ClientRequest, chunks: readonly string[], gapMs: number): void {
  const [first, ...rest] = chunks;
  if (first === undefined) {
    req.end();
    return;
  }
  req.write(first);
  setTimeout(() => {
    if (!req.destroyed) writeSlowly(req, rest, gapMs);
  }, gapMs);
}

/** The app's answer for a body: its length and SHA-256. */
function bodyOf(tag: string, pid: number, body: string): ReturnType<typeof parse> {
  const sha256 = createHash("sha256").update(body).digest("hex");
  return { tag, pid, length: Buffer.byteLength(body), sha256 };
}

/** A request stranded on a dead connection gets a 504 then, rather than a 40 s wait. */
const RESCUE = ["--request-timeout", "15"];

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

test("head-of-line: a request sent while every thread is busy runs on the first thread to free up, not behind a slow request", async (t) => {
  const { server, started } = await startAhead(t, ["--threads", "2"]);
  const slow = send(server, "A", "&seconds=3");
  await started("A");
  const short = send(server, "A2", "&seconds=0.5");
  await started("A2");
  // Two quick requests, so that one of them would sit behind A on any thread choice.
  const [a, a2, b1, b2] = await Promise.all([slow, short, send(server, "B1"), send(server, "B2")]);
  for (const answer of [a, a2, b1, b2]) assert.equal(answer.status, 200);
  assert.ok(b1.endedAt < a.endedAt, "B1 waited for the slow request A");
  assert.ok(b2.endedAt < a.endedAt, "B2 waited for the slow request A");
});

test("--request-timeout counts from when a request starts, not from when it was sent on", async (t) => {
  // Each request naps 2 s of a 3 s deadline; B, sent while A runs, ends 4 s after A began.
  const { server, started } = await startAhead(t, ["--threads", "1", "--request-timeout", "3"]);
  const a = send(server, "A", "&seconds=2");
  await started("A");
  const b = await send(server, "B", "&seconds=2");
  assert.equal(b.status, 200, `B answered ${b.status} ${b.text}`);
  assert.equal(parse(b).tag, "B");
  assert.equal((await a).status, 200);
});

test("a request sent while the process's thread is busy is served by the replacement when that process dies", async (t) => {
  const { server, started } = await startAhead(t, ["--threads", "1", ...RESCUE]);
  const before = parse(await send(server, "pid")).pid;
  const dying = send(server, "A", "&seconds=1&die=1");
  await started("A");
  const b = send(server, "B");
  assert.equal((await dying).status, 502);
  const answer = await b;
  assert.equal(answer.status, 200, `B answered ${answer.status} ${answer.text}`);
  assert.equal(parse(answer).tag, "B");
  assert.notEqual(parse(answer).pid, before);
});

test("graceful restart: a request sent while the old process's thread is busy does not wait for its long request", async (t) => {
  const { server, started } = await startAhead(t, ["--threads", "1"]);
  const long = send(server, "A", "&seconds=3");
  await started("A");
  const b = send(server, "B");
  // B must reach the front end before the restart begins; it cannot be seen from here.
  await pause(300);
  server.child.kill("SIGUSR1");
  const [a, answer] = await Promise.all([long, b]);
  assert.equal(a.status, 200);
  assert.equal(answer.status, 200);
  assert.notEqual(parse(answer).pid, parse(a).pid, "B ran on the old process");
  assert.ok(answer.endedAt < a.endedAt, "B waited for the old process's long request");
});

test("--queue-timeout: a request that waited too long for a thread gets the queue's 504 and never runs", async (t) => {
  const { server, started, runs } = await startAhead(t, ["--threads", "1", "--queue-timeout", "1"]);
  const a = send(server, "A", "&seconds=3");
  await started("A");
  // B may be written ahead; C, sent after it, waits in the front end's queue in any case.
  const b = send(server, "B");
  await pause(100);
  const c = send(server, "C");
  const [answerB, answerC] = await Promise.all([b, c]);
  assert.equal(answerB.status, 504, `B answered ${answerB.status} ${answerB.text}`);
  const seen = ({ status, contentType, text }: Answer): unknown => ({ status, contentType, text });
  assert.deepEqual(seen(answerB), seen(answerC), "B is not answered as the queued C is");
  assert.ok(answerB.endedAt < (await a).endedAt, "B's 504 waited for A");
  assert.equal((await send(server, "D")).status, 200);
  assert.deepEqual(runs(), ["start A", "end A", "start D", "end D"]);
});

test("a request whose client leaves before it starts never runs", async (t) => {
  const { server, started, runs } = await startAhead(t, ["--threads", "1"]);
  const a = send(server, "A", "&seconds=1.5");
  await started("A");
  const socket = connect(server.port, "127.0.0.1");
  socket.on("error", () => undefined);
  socket.write("GET /?tag=B HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
  await pause(300);
  socket.destroy();
  assert.equal((await a).status, 200);
  // C is sent after B and runs after B would have.
  assert.equal((await send(server, "C")).status, 200);
  assert.deepEqual(runs(), ["start A", "end A", "start C", "end C"]);
});

const STREAMED_BODIES: readonly { name: string; chunks: string[]; declared: boolean }[] = [
  { name: "chunked", chunks: ["first;", "second;", "third;", "last"], declared: false },
  // Above the 64 KiB that the front end reads in full before dispatch (request-body.ts).
  {
    name: "200 KiB with Content-Length",
    chunks: ["a", "b", "c", "d"].map((c) => c.repeat(51_200)),
    declared: true,
  },
];

for (const { name, chunks, declared } of STREAMED_BODIES) {
  test(`a request sent while the busy thread's request body (${name}) is still streaming in: every body arrives whole`, async (t) => {
    const { server, started } = await startAhead(t, [
      "--threads",
      "1",
      "--chunked-request",
      ...RESCUE,
    ]);
    const upload = send(server, "A", "", { chunks, gapMs: 250, declared });
    await started("A");
    // B has no body; C's small body is read in full before dispatch.
    const small = "small body ".repeat(100);
    const [a, b, c] = await Promise.all([
      upload,
      send(server, "B"),
      send(server, "C", "", { chunks: [small], gapMs: 0, declared: true }),
    ]);
    for (const [tag, answer] of Object.entries({ A: a, B: b, C: c })) {
      assert.equal(answer.status, 200, `${tag} answered ${answer.status} ${answer.text}`);
    }
    assert.deepEqual(parse(a), bodyOf("A", parse(a).pid, chunks.join("")));
    assert.deepEqual(parse(b), bodyOf("B", parse(b).pid, ""));
    assert.deepEqual(parse(c), bodyOf("C", parse(c).pid, small));
  });
}
