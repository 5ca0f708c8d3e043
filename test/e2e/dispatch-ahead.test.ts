/**
 * Dispatch-ahead's hazards (bench/PROFILE.md): when no daemon thread is idle, a request
 * may be written to a busy thread's connection to run after its current request. Each
 * test makes "no idle thread" certain (requests nap in the app) and checks that the
 * client and the app see what the front end's queue gives: no waiting behind a slow
 * request, timeouts counted as for a queued request, no 502 when the busy process dies,
 * no run for a client that left, no interleaved bodies.
 *
 * A request can land behind the one that matters (X) in two ways, and each test has one
 * of each: Y is queued before X starts, so X's start can take it ahead (as the queue
 * feeds a channel's slot ahead); Z arrives while X runs, so the pool can write it ahead
 * at once. A gate request G holds the thread first, so that X and Y queue in order.
 * Timings are compared with wide margins only: the machine is shared.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { request as httpRequest, type ClientRequest } from "node:http";
import { connect, type Socket } from "node:net";
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
  readonly tag: string;
  readonly status: number;
  readonly contentType: string | undefined;
  readonly text: string;
  /** When the whole answer had arrived (ms, Date.now()). */
  readonly endedAt: number;
}

function assertStatus(answer: Answer, status: number): void {
  assert.equal(answer.status, status, `${answer.tag} answered ${answer.status} ${answer.text}`);
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
        resolve({ tag, status: res.statusCode ?? 0, contentType, text, endedAt: Date.now() });
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

/** G holds the (one) thread for `gateSeconds`; X (`xQuery`) and then Y (`yQuery`) are
 *  sent while it runs; resolves once X holds the thread, with the three answers to come. */
async function gateThenQueue(
  { server, started }: Ahead,
  gateSeconds: number,
  xQuery: string,
  yQuery = "",
): Promise<[Promise<Answer>, Promise<Answer>, Promise<Answer>]> {
  const g = send(server, "G", `&seconds=${gateSeconds}`);
  await started("G");
  const x = send(server, "X", xQuery);
  // Y must reach the front end after X; their arrival cannot be seen from here.
  await pause(100);
  const y = send(server, "Y", yQuery);
  await started("X");
  return [g, x, y];
}

test("head-of-line: a request waiting while every thread is busy runs on the first thread to free up, not behind a slow request", async (t) => {
  const { server, started } = await startAhead(t, ["--threads", "2"]);
  const g = send(server, "G", "&seconds=0.3");
  await started("G");
  const o = send(server, "O", "&seconds=0.8");
  await started("O");
  // X (3 s) starts on G's thread; Y (1 s) and the Zs must not wait for it once O's frees.
  const x = send(server, "X", "&seconds=3");
  await pause(100);
  const y = send(server, "Y", "&seconds=1");
  await started("X");
  const [slow, ...quick] = await Promise.all([x, y, send(server, "Z1"), send(server, "Z2")]);
  assertStatus(slow, 200);
  for (const answer of [...quick, await g, await o]) {
    assertStatus(answer, 200);
    assert.ok(answer.endedAt < slow.endedAt, `${answer.tag} waited for X`);
  }
});

test("saturated: a request waiting behind a slow one while requests queue runs before it", async (t) => {
  const { server, started } = await startAhead(t, ["--threads", "2"]);
  const gates = [send(server, "G1", "&seconds=0.5"), send(server, "G2", "&seconds=0.5")];
  await Promise.all([started("G1"), started("G2")]);
  // X (3 s) and then Y queue behind the gates; the first gate to end takes X, and the
  // queue's next requests (Y first) are written ahead of it.
  const x = send(server, "X", "&seconds=3");
  await pause(100);
  const y = send(server, "Y");
  await pause(100);
  // Load keeps requests queued for the other thread until X ends, so it never goes idle.
  let xDone = false;
  const load = async (lane: number): Promise<void> => {
    for (let n = 0; !xDone; n++)
      assertStatus(await send(server, `L${lane}-${n}`, "&seconds=0.05"), 200);
  };
  const lanes = Array.from({ length: 12 }, (_, lane) => load(lane));
  const slow = await x;
  xDone = true;
  await Promise.all(lanes);
  const waiting = await y;
  for (const answer of [slow, waiting, ...(await Promise.all(gates))]) assertStatus(answer, 200);
  assert.ok(
    waiting.endedAt < slow.endedAt,
    "Y waited for X although the other thread kept freeing up",
  );
});

test("--request-timeout counts from when a request starts, not from when it was sent on", async (t) => {
  // Each request naps 1.6 s of a 2.5 s deadline; X waits for G, Y for X.
  const ahead = await startAhead(t, ["--threads", "1", "--request-timeout", "2.5"]);
  const answers = await gateThenQueue(ahead, 1.6, "&seconds=1.6", "&seconds=1.6");
  for (const answer of await Promise.all(answers)) {
    assertStatus(answer, 200);
  }
});

test("a request waiting while the process's thread is busy is served by the replacement when that process dies", async (t) => {
  const ahead = await startAhead(t, ["--threads", "1", ...RESCUE]);
  const before = parse(await send(ahead.server, "pid")).pid;
  const [g, x, y] = await gateThenQueue(ahead, 0.3, "&seconds=1&die=1");
  const z = send(ahead.server, "Z");
  assert.equal((await g).status, 200);
  assert.equal((await x).status, 502);
  for (const answer of await Promise.all([y, z])) {
    assertStatus(answer, 200);
    assert.notEqual(parse(answer).pid, before, `${answer.tag} ran on the dead process`);
  }
});

test("graceful restart: a request waiting while the old process's thread is busy does not wait for its long request", async (t) => {
  const ahead = await startAhead(t, ["--threads", "1"]);
  const [g, x, y] = await gateThenQueue(ahead, 0.3, "&seconds=2.5");
  const z = send(ahead.server, "Z");
  // Z must reach the front end before the restart begins; it cannot be seen from here.
  await pause(300);
  ahead.server.child.kill("SIGUSR1");
  const [long, ...quick] = await Promise.all([x, y, z]);
  assert.equal((await g).status, 200);
  assert.equal(long.status, 200);
  for (const answer of quick) {
    assertStatus(answer, 200);
    assert.notEqual(parse(answer).pid, parse(long).pid, `${answer.tag} ran on the old process`);
    assert.ok(answer.endedAt < long.endedAt, `${answer.tag} waited for the old process's X`);
  }
});

test("--queue-timeout: a request that waited too long for a thread gets the queue's 504 and never runs", async (t) => {
  const ahead = await startAhead(t, ["--threads", "1", "--queue-timeout", "1"]);
  const [g, x, y] = await gateThenQueue(ahead, 0.3, "&seconds=2.5");
  const [answerY, answerZ] = await Promise.all([y, send(ahead.server, "Z")]);
  assertStatus(answerY, 504);
  assertStatus(answerZ, 504);
  // One of Y and Z may have waited ahead on X's thread, the other in the queue.
  const seen = ({ status, contentType, text }: Answer): unknown => ({ status, contentType, text });
  assert.deepEqual(seen(answerY), seen(answerZ));
  const long = await x;
  assert.ok(answerY.endedAt < long.endedAt, "Y's 504 waited for X");
  assert.ok(answerZ.endedAt < long.endedAt, "Z's 504 waited for X");
  assert.equal((await g).status, 200);
  assert.equal((await send(ahead.server, "D")).status, 200);
  assert.deepEqual(ahead.runs(), ["start G", "end G", "start X", "end X", "start D", "end D"]);
});

/** Sends GET /?tag=TAG on a raw connection, to be destroyed by the caller. */
function leaving(server: RunningServer, tag: string): Socket {
  const socket = connect(server.port, "127.0.0.1");
  socket.on("error", () => undefined);
  socket.write(`GET /?tag=${tag} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
  return socket;
}

test("a request whose client leaves before it starts never runs", async (t) => {
  const { server, started, runs } = await startAhead(t, ["--threads", "1"]);
  const g = send(server, "G", "&seconds=0.3");
  await started("G");
  const x = send(server, "X", "&seconds=1.5");
  await pause(100);
  const y = leaving(server, "Y");
  await started("X");
  const z = leaving(server, "Z");
  await pause(300);
  y.destroy();
  z.destroy();
  assert.equal((await g).status, 200);
  assert.equal((await x).status, 200);
  // D is sent after Y and Z and runs after they would have.
  assert.equal((await send(server, "D")).status, 200);
  assert.deepEqual(runs(), ["start G", "end G", "start X", "end X", "start D", "end D"]);
});

const STREAMED_BODIES: readonly { name: string; chunks: string[]; declared: boolean }[] = [
  { name: "chunked", chunks: ["1;", "2;", "3;", "4;", "5;", "6"], declared: false },
  // Above the 64 KiB that the front end reads in full before dispatch (request-body.ts).
  {
    name: "300 KiB with Content-Length",
    chunks: ["a", "b", "c", "d", "e", "f"].map((c) => c.repeat(51_200)),
    declared: true,
  },
];

for (const { name, chunks, declared } of STREAMED_BODIES) {
  test(`a request waiting while the busy thread's request body (${name}) is still streaming in: every body arrives whole`, async (t) => {
    const { server, started } = await startAhead(t, [
      ...["--threads", "1", "--chunked-request", ...RESCUE],
    ]);
    const g = send(server, "G", "&seconds=0.3");
    await started("G");
    // X's body takes 1.25 s to arrive; Y (no body) and C (a small body, read in full
    // before dispatch) are queued behind X, Z is sent once X runs.
    const x = send(server, "X", "", { chunks, gapMs: 250, declared });
    await pause(100);
    const small = "small body ".repeat(100);
    const y = send(server, "Y");
    const c = send(server, "C", "", { chunks: [small], gapMs: 0, declared: true });
    await started("X");
    const answers = await Promise.all([g, x, y, c, send(server, "Z")]);
    for (const answer of answers) {
      assertStatus(answer, 200);
    }
    const [, ax, ay, ac, az] = answers;
    assert.deepEqual(parse(ax), bodyOf("X", parse(ax).pid, chunks.join("")));
    assert.deepEqual(parse(ay), bodyOf("Y", parse(ay).pid, ""));
    assert.deepEqual(parse(ac), bodyOf("C", parse(ac).pid, small));
    assert.deepEqual(parse(az), bodyOf("Z", parse(az).pid, ""));
  });
}
