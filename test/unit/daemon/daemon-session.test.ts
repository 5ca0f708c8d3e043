import { test } from "node:test";
import assert from "node:assert/strict";
import type {
  AppFailure,
  AppResponseHead,
  SessionEvents,
  SessionRequest,
} from "../../../src/exchange/backend.js";
import { buildEnviron, environBase, type EnvironSettings } from "../../../src/exchange/environ.js";
import { DaemonSession, type SessionContext } from "../../../src/daemon/daemon-session.js";
import type { WorkerChannel } from "../../../src/daemon/worker-channel.js";
import { FrameDecoder, FrameType, encodeFrame } from "../../../src/protocol/frames.js";

const settings: EnvironSettings = {
  mountPoint: "/",
  serverName: "localhost",
  serverSoftware: "wsgi-express",
  documentRoot: "/srv",
  scriptFilename: "/srv/app.wsgi",
  processGroup: "localhost:8000",
  applicationGroup: "",
  callableObject: "application",
  listenerHost: "",
  requestEnviron: [],
};
const base = environBase(1, settings, 8000);

/** A daemon thread's channel that records what is written and done to it. */
class FakeChannel {
  readonly pid = 4242;
  readonly thread = 3;
  readsBodyFiles = false;
  readonly frames: string[] = [];
  readonly calls: string[] = [];
  private readonly decoder = new FrameDecoder();
  private readonly sent = new Set<number>();

  needsBase(id: number): boolean {
    const needs = !this.sent.has(id);
    this.sent.add(id);
    return needs;
  }
  write(...buffers: Buffer[]): boolean {
    for (const frame of this.decoder.push(Buffer.concat(buffers))) {
      this.frames.push(FRAME_NAMES.get(frame.type) ?? String(frame.type));
    }
    return true;
  }
  writeBody(header: Buffer, payload: Buffer): boolean {
    return this.write(header, payload);
  }
  pause(): void {
    this.calls.push("pause");
  }
  resume(): void {
    this.calls.push("resume");
  }
  close(reason: string): void {
    this.calls.push(`close: ${reason}`);
  }
}

const FRAME_NAMES = new Map(Object.entries(FrameType).map(([name, type]) => [type, name]));

/** The HTTP side of a request, recording what the session tells it. */
class Recorder implements SessionRequest, SessionEvents {
  readonly id = "r1";
  readonly environ = buildEnviron(
    {
      method: "GET",
      target: "/hello",
      httpVersion: "1.1",
      rawHeaders: ["Host", "localhost"],
      remoteAddress: "127.0.0.1",
      remotePort: 5000,
      localAddress: "127.0.0.1",
      localPort: 8000,
      requestId: "r1",
      connectionId: "1",
    },
    settings,
    base,
    { scriptName: "", pathInfo: "/hello" },
    "",
    "/hello",
  );
  readonly requestStart = 1_700_000_000;
  expectContinue = false;
  bodyKnownAtDispatch = true;
  bodySent = false;
  body: Buffer | null = Buffer.alloc(0);
  readonly heard: string[] = [];

  wholeBody(): Buffer | null {
    this.bodySent = this.body !== null;
    return this.body;
  }
  streamBody(): void {
    this.heard.push("streamBody");
  }
  abortBody(): void {
    this.heard.push("abortBody");
  }
  responseHead(head: AppResponseHead): void {
    this.heard.push(`head ${head.status}`);
  }
  invalidResponseHead(why: string): void {
    this.heard.push(`invalid head: ${why}`);
  }
  responseBody(piece: Buffer): void {
    this.heard.push(`body ${piece.toString()}`);
  }
  responseEnd(error: AppFailure | null): void {
    this.heard.push(`end ${error === null ? "null" : error.message}`);
  }
  done(): void {
    this.heard.push("done");
  }
  bodyWanted(): void {
    this.heard.push("bodyWanted");
  }
  bodyDrained(): void {
    this.heard.push("bodyDrained");
  }
  lost(reason: string, afterEnd: boolean): void {
    this.heard.push(`lost ${reason} ${String(afterEnd)}`);
  }
  expired(status: 503 | 504): void {
    this.heard.push(`expired ${String(status)}`);
  }
  timedOut(): void {
    this.heard.push("timedOut");
  }
  unsendable(reason: string): void {
    this.heard.push(`unsendable ${reason}`);
  }
}

function session(overrides: Partial<SessionContext> = {}) {
  const pool: string[] = [];
  const log: string[] = [];
  const request = new Recorder();
  const context: SessionContext = {
    release: () => pool.push("release"),
    abort: (pid, id) => pool.push(`abort ${String(pid)} ${id}`),
    withdraw: () => pool.push("withdraw"),
    timedOut: (_channel, id) => pool.push(`timedOut ${id}`),
    dispatch: () => pool.push("dispatch"),
    logError: (message) => log.push(message),
    now: () => Date.now(),
    requestTimeoutMs: 0,
    socketTimeoutMs: 0,
    ...overrides,
  };
  const channel = new FakeChannel();
  const daemon = new DaemonSession(request, request, context);
  return { daemon, request, pool, log, channel, asChannel: channel as unknown as WorkerChannel };
}

const responseHead = (status: string, ...headers: string[]): Buffer =>
  encodeFrame(FrameType.RESPONSE_HEAD, Buffer.from([status, ...headers].join("\0"), "latin1"));

test("a bodiless request goes out as base, head and body end in one write", () => {
  const { daemon, channel, asChannel } = session();
  daemon.start(asChannel);
  assert.deepEqual(channel.frames, ["ENVIRON_BASE", "REQUEST_HEAD", "REQUEST_BODY_END"]);
  // The next request on the same connection needs no base.
  const next = session();
  next.daemon.start(asChannel);
  assert.deepEqual(channel.frames.slice(3), ["REQUEST_HEAD", "REQUEST_BODY_END"]);
});

test("a streamed body is asked for after the head, and goes out in body frames", () => {
  const { daemon, request, channel, asChannel } = session();
  request.body = null;
  request.bodyKnownAtDispatch = false;
  daemon.start(asChannel);
  assert.deepEqual(request.heard, ["streamBody"]);
  const sink = daemon.body;
  assert.ok(sink);
  assert.equal(sink.sendBody(Buffer.from("abc")), true);
  sink.endBody(false);
  assert.deepEqual(channel.frames.slice(1), ["REQUEST_HEAD", "REQUEST_BODY", "REQUEST_BODY_END"]);
});

test("response frames become typed events; the channel is released before done()", () => {
  const { daemon, request, pool, asChannel } = session();
  daemon.start(asChannel);
  daemon.onFrame({
    type: FrameType.RESPONSE_HEAD,
    payload: responseHead("200 OK", "A", "b").subarray(5),
  });
  daemon.onFrame({ type: FrameType.RESPONSE_BODY, payload: Buffer.from("hi") });
  daemon.onFrame({ type: FrameType.RESPONSE_END, payload: Buffer.alloc(0) });
  assert.deepEqual(request.heard, ["head 200 OK", "body hi", "end null", "done"]);
  assert.deepEqual(pool, ["release"]);
  assert.equal(daemon.body, null);
  assert.equal(daemon.wanted, false);
});

test("an unreadable response head is reported, not thrown", () => {
  const { daemon, request, asChannel } = session();
  daemon.start(asChannel);
  daemon.onFrame({ type: FrameType.RESPONSE_HEAD, payload: Buffer.from("200 OK\0lonely") });
  assert.match(request.heard[0] ?? "", /^invalid head: .*RESPONSE_HEAD/);
});

test("--request-timeout: logged with the thread, answered, then the thread interrupted", (t) => {
  t.mock.timers.enable({ apis: ["setTimeout", "Date"] });
  const { daemon, request, pool, log, asChannel } = session({ requestTimeoutMs: 5_000 });
  daemon.start(asChannel);
  t.mock.timers.tick(4_999);
  assert.deepEqual(request.heard, []);
  t.mock.timers.tick(1);
  assert.deepEqual(request.heard, ["timedOut"]);
  assert.deepEqual(pool, ["timedOut r1"]);
  assert.match(
    log[0] ?? "",
    /\/hello ran longer than --request-timeout; .*thread 3 of daemon 4242/,
  );
});

test("a request that ends in time is never timed out", (t) => {
  t.mock.timers.enable({ apis: ["setTimeout", "Date"] });
  const { daemon, request, asChannel } = session({ requestTimeoutMs: 1_000, socketTimeoutMs: 500 });
  daemon.start(asChannel);
  daemon.onFrame({ type: FrameType.RESPONSE_END, payload: Buffer.alloc(0) });
  t.mock.timers.tick(10_000);
  assert.deepEqual(request.heard, ["end null", "done"]);
});

test("the client gone: the daemon is told, the body aborted, a paused channel resumed", () => {
  const { daemon, request, pool, channel, asChannel } = session();
  daemon.start(asChannel);
  const resume = daemon.pause();
  assert.equal(daemon.waitingForClient, true);
  daemon.cancel(true);
  assert.deepEqual(pool, ["abort 4242 r1"]);
  assert.deepEqual(request.heard, ["abortBody"]);
  assert.deepEqual(channel.calls, ["pause", "resume"]);
  assert.equal(daemon.waitingForClient, false);
  assert.equal(daemon.wanted, false);
  resume();
});

test("the client gone from a request written ahead: it is recalled, never aborted mid-body", () => {
  const { daemon, request, pool, asChannel } = session();
  assert.equal(daemon.startAhead(asChannel), true);
  daemon.cancel(true);
  assert.deepEqual(pool, ["abort 4242 r1", "withdraw"]);
  assert.deepEqual(request.heard, []);
  daemon.recalled();
  assert.equal(daemon.body, null);
});

test("answered by the front end: no longer wanted, but the daemon is left to finish", () => {
  const { daemon, pool, asChannel } = session();
  daemon.start(asChannel);
  daemon.cancel(false);
  assert.equal(daemon.wanted, false);
  assert.deepEqual(pool, []);
});

test("a lost channel is reported once, before or after the end", () => {
  const running = session();
  running.daemon.start(running.asChannel);
  running.daemon.onChannelLost("connection closed");
  assert.deepEqual(running.request.heard, [
    "lost daemon connection lost during a request: connection closed false",
  ]);
  const ended = session();
  ended.daemon.start(ended.asChannel);
  ended.daemon.onFrame({ type: FrameType.RESPONSE_END, payload: Buffer.alloc(0) });
  ended.daemon.onChannelLost("connection closed");
  assert.equal(
    ended.request.heard.at(-1),
    "lost daemon connection lost during a request: connection closed true",
  );
});

test("expiry in the queue: logged with the option that set the limit", () => {
  const { daemon, request, log } = session();
  daemon.expire(503);
  assert.deepEqual(request.heard, ["expired 503"]);
  assert.match(log[0] ?? "", /timed out in the queue \(--connect-timeout, no daemon ready\)/);
});

test("an unexpected frame closes the channel", () => {
  const { daemon, channel, asChannel } = session();
  daemon.start(asChannel);
  daemon.onFrame({ type: FrameType.HELLO, payload: Buffer.alloc(0) });
  assert.deepEqual(channel.calls, ["close: unexpected frame 0x1 during a request"]);
});
