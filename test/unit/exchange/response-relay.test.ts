/**
 * The response relay over an in-memory connection: node's own ServerResponse writing
 * into a Writable that records the bytes (and, for a slow client, holds them), with no
 * real socket, daemon or sleep.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { IncomingMessage, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { Duplex } from "node:stream";
import type { HeldPiece } from "../../../src/buffering/response-spool.js";
import type { RelayPolicy } from "../../../src/exchange/relay-policy.js";
import {
  ResponseRelay,
  type RelayContext,
  type RelayOwner,
} from "../../../src/exchange/response-relay.js";

/** A client connection: what is written is kept; a slow one takes nothing until told. */
class FakeConnection extends Duplex {
  readonly received: Buffer[] = [];
  ended = false;
  private waiting: (() => void)[] = [];

  constructor(private slow = false) {
    super({ highWaterMark: 1024 });
  }

  override _read(): void {
    // The client sends nothing more in these tests.
  }

  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.received.push(chunk);
    if (this.slow) this.waiting.push(done);
    else done();
  }

  override _final(done: () => void): void {
    this.ended = true;
    done();
  }

  /** The slow client reads everything. */
  catchUp(): void {
    this.slow = false;
    for (const done of this.waiting.splice(0)) done();
  }

  get text(): string {
    return Buffer.concat(this.received).toString("latin1");
  }
}

const POLICY: RelayPolicy = {
  keepAlive: true,
  headerBufferSize: 8192,
  responseBufferSize: 4096,
  responseMemory: null,
  responseSpool: null,
  errorOverride: false,
  compressResponses: false,
  flushDelayMs: 0,
};

function relay(options: { policy?: Partial<RelayPolicy>; slow?: boolean; method?: string } = {}) {
  const connection = new FakeConnection(options.slow);
  const req = new IncomingMessage(connection as unknown as Socket);
  req.method = options.method ?? "GET";
  req.httpVersionMajor = 1;
  req.httpVersionMinor = 1;
  const res = new ServerResponse(req);
  res.assignSocket(connection as unknown as Socket);
  // What node's server wires for each connection (socketOnDrain): the response hears
  // its socket drain.
  connection.on("drain", () => res.emit("drain"));
  const answers: number[] = [];
  const logged: string[] = [];
  const pauses: string[] = [];
  const owner: RelayOwner = {
    answer: (status) => answers.push(status),
    pauseBackend: () => {
      pauses.push("pause");
      return () => pauses.push("resume");
    },
    hold: (piece): HeldPiece => ({ buffer: Buffer.from(piece), repay: null }),
  };
  const context: RelayContext = {
    policy: { ...POLICY, ...options.policy },
    logError: (message) => logged.push(message),
  };
  return {
    relay: new ResponseRelay(req, res, context, owner),
    connection,
    answers,
    logged,
    pauses,
  };
}

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

test("a checked head, the body and the end reach the client", async () => {
  const { relay: r, connection } = relay();
  r.head({
    status: "200 OK",
    headers: [
      ["Content-Type", "text/plain"],
      ["Content-Length", "5"],
    ],
  });
  r.body(Buffer.from("hello"));
  r.finish();
  await settle();
  assert.match(connection.text, /^HTTP\/1\.1 200 OK\r\n/);
  assert.match(connection.text, /\r\nContent-Length: 5\r\n/);
  assert.ok(connection.text.endsWith("\r\n\r\nhello"));
  assert.equal(connection.ended, false, "kept alive");
});

test("a head the front end refuses is answered with 500 and logged", () => {
  const { relay: r, answers, logged } = relay();
  r.head({ status: "200 OK", headers: [["Bad Name", "x"]] });
  assert.deepEqual(answers, [500]);
  assert.match(logged[0] ?? "", /^bad response head from the application: invalid header name/);
  assert.equal(r.headSent, false);
});

test("past its Content-Length the body is cut and the connection closed", async () => {
  const { relay: r, connection } = relay();
  r.head({ status: "200 OK", headers: [["Content-Length", "3"]] });
  r.body(Buffer.from("abcdef"));
  r.finish();
  await settle();
  assert.ok(connection.text.endsWith("\r\n\r\nabc"));
  assert.equal(connection.ended, true);
});

test("short of its Content-Length the response ends cut, for the client to see", async () => {
  const { relay: r, connection } = relay();
  r.head({ status: "200 OK", headers: [["Content-Length", "10"]] });
  r.body(Buffer.from("abc"));
  r.finish();
  await settle();
  assert.equal(connection.ended, true);
});

test("--error-override: an app's 404 becomes the front end's own page", () => {
  const { relay: r, answers } = relay({ policy: { errorOverride: true } });
  r.head({ status: "404 Not Found", headers: [] });
  assert.deepEqual(answers, [404]);
  assert.equal(r.headSent, false);
});

test("keep-alive off: the response says Connection: close", async () => {
  const { relay: r, connection } = relay({ policy: { keepAlive: false } });
  r.head({ status: "204 No Content", headers: [] });
  r.finish();
  await settle();
  assert.match(connection.text, /\r\nConnection: close\r\n/);
});

test("a client behind by --response-buffer-size pauses the backend until it catches up", async () => {
  const { relay: r, connection, pauses } = relay({ slow: true });
  r.head({ status: "200 OK", headers: [] });
  r.body(Buffer.alloc(2048, 0x61));
  assert.deepEqual(pauses, [], "2 KiB behind: under the 4 KiB buffer");
  r.body(Buffer.alloc(2048, 0x62));
  r.body(Buffer.alloc(2048, 0x63));
  const paused = pauses.length;
  assert.ok(paused >= 1, "past the buffer: the backend waits");
  assert.ok(pauses.every((event) => event === "pause"));
  connection.catchUp();
  await settle();
  // Every pause (one per piece that arrived while behind) is let go once it drained.
  assert.deepEqual(pauses.slice(paused), Array<string>(paused).fill("resume"));
});

test("HEAD: the head goes out, no body is counted", async () => {
  const { relay: r, connection } = relay({ method: "HEAD" });
  r.head({ status: "200 OK", headers: [["Content-Length", "5"]] });
  r.finish();
  await settle();
  assert.match(connection.text, /^HTTP\/1\.1 200 OK\r\n/);
  assert.equal(connection.ended, false, "a HEAD response with no body is complete");
});

test("--response-flush-delay: a stream's small pieces leave together once the daemon is quiet", async (t) => {
  t.mock.timers.enable({ apis: ["setTimeout"] });
  const { relay: r, connection } = relay({ policy: { flushDelayMs: 5 } });
  r.head({ status: "200 OK", headers: [["Content-Type", "text/plain"]] });
  for (const piece of ["a", "b", "c"]) {
    r.body(Buffer.from(piece));
    t.mock.timers.tick(2);
  }
  await settle();
  assert.equal(connection.text, "", "held: head and pieces wait for more");
  t.mock.timers.tick(5);
  await settle();
  assert.match(
    connection.text,
    /^HTTP\/1\.1 200 OK\r\n[^]*\r\n\r\n1\r\na\r\n1\r\nb\r\n1\r\nc\r\n$/,
  );
  r.body(Buffer.from("d"));
  r.finish();
  await settle();
  assert.ok(connection.text.endsWith("1\r\nd\r\n0\r\n\r\n"), "the end is never held");
});

test("--response-flush-delay never holds a piece that completes its Content-Length", async (t) => {
  t.mock.timers.enable({ apis: ["setTimeout"] });
  const { relay: r, connection } = relay({ policy: { flushDelayMs: 5 } });
  r.head({ status: "200 OK", headers: [["Content-Length", "2"]] });
  r.body(Buffer.from("h"));
  r.body(Buffer.from("i"));
  await settle();
  assert.ok(connection.text.endsWith("\r\n\r\nhi"), "sent without waiting for the delay");
});
