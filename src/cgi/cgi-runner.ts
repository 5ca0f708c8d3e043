/**
 * `--with-cgi`: runs one `.cgi` file of the document root as a CGI/1.1 script (RFC
 * 3875), as Apache's mod_cgi does: spawned directly (never through a shell) in its own
 * directory, the request body on its stdin, its stderr into the error log, its header
 * block parsed (cgi-headers.ts) and its body streamed to the client with back-pressure,
 * so that memory stays flat however much it writes. A script silent for longer than
 * the timeout (--socket-timeout, Apache's Timeout) is killed: 504 before its headers,
 * the connection cut after them.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { constants } from "node:fs";
import { access } from "node:fs/promises";
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from "node:http";
import { dirname } from "node:path";
import { countBody } from "../http/access-log.js";
import type { ErrorSender } from "../http/error-pages.js";
import { mergeResponseHeaders } from "../http/response-merge.js";
import type { LogLevel } from "../log-levels.js";
import { Termination } from "../process/terminate.js";
import { systemTimers, type Timers } from "../process/timers.js";
import { CgiHeadParser, type CgiHead } from "./cgi-headers.js";
import { IdleTimer } from "./idle-timer.js";

export interface CgiSettings {
  /** Seconds the script may be silent (Apache's Timeout: --socket-timeout). */
  readonly timeout: number;
  /** --limit-request-body in bytes (0: none); a chunked body past it is refused (413). */
  readonly limitRequestBody: number;
  readonly log: (level: LogLevel, message: string) => void;
  readonly sendError: ErrorSender;
  /** §6.2.2's local redirect: serve this path (a GET without a body) instead. */
  readonly redirect: (req: IncomingMessage, res: ServerResponse, path: string) => void;
  readonly timers?: Timers;
}

/** Apache's mod_cgi gives a script it stops 3 seconds between SIGTERM and SIGKILL. */
const KILL_GRACE_MS = 3000;

export async function runCgi(
  req: IncomingMessage,
  res: ServerResponse,
  file: string,
  env: Record<string, string>,
  settings: CgiSettings,
  /** False after a local redirect: the body went to the first script. */
  withBody = true,
): Promise<void> {
  try {
    await access(file, constants.X_OK);
  } catch {
    // mod_cgi: "file permissions deny server execution", 403.
    settings.log("error", `file permissions deny server execution: ${file}`);
    settings.sendError(res, 403);
    return;
  }
  if (res.writableEnded || req.socket.destroyed) return;
  const child = spawn(file, [], { cwd: dirname(file), env, stdio: ["pipe", "pipe", "pipe"] });
  new CgiRun(req, res, file, child, settings).start(withBody);
}

class CgiRun {
  private readonly parser = new CgiHeadParser();
  private readonly idle: IdleTimer;
  private readonly termination: Termination;
  private head: CgiHead | null = null;
  private done = false;
  private stderrTail = "";

  constructor(
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
    private readonly file: string,
    private readonly child: ChildProcessWithoutNullStreams,
    private readonly settings: CgiSettings,
  ) {
    const timers = settings.timers ?? systemTimers;
    this.idle = new IdleTimer(timers, settings.timeout * 1000, () => {
      this.timedOut();
    });
    this.termination = new Termination(child, timers, () => {
      settings.log("error", `CGI script did not stop on SIGTERM, killed: ${file}`);
    });
  }

  start(withBody: boolean): void {
    const { child, req, res } = this;
    child.on("error", (error) => {
      // Not executable as a program (no #! line, a bad interpreter): mod_cgi's 500.
      this.fail(`couldn't create child process: ${error.message}: ${this.file}`);
    });
    child.stdin.on("error", () => {
      // The script exited without reading its input (EPIPE): its output still counts.
    });
    // mod_cgi sends the body whatever the script reads of it; node answers a waiting
    // `Expect: 100-continue` here, as the script is ready for it.
    if (!withBody) {
      child.stdin.end();
    } else {
      if (/100-continue/i.test(req.headers.expect ?? "")) res.writeContinue();
      this.limitBody();
      req.pipe(child.stdin);
    }
    child.stderr.setEncoding("utf8").on("data", (text: string) => {
      this.logStderr(text);
    });
    child.stdout.on("data", (chunk: Buffer) => {
      this.output(chunk);
    });
    child.stdout.on("end", () => {
      this.outputEnded();
    });
    res.on("close", () => {
      // The client went away (or the response is over): the script has no one to write
      // for. A script still running then is stopped.
      this.idle.stop();
      if (child.exitCode === null && child.signalCode === null)
        this.termination.begin(KILL_GRACE_MS);
    });
    this.idle.restart();
  }

  /** A Content-Length past the limit was refused at intake; a chunked body is counted
   *  here, as Apache's LimitRequestBody applies to a CGI script's input too. */
  private limitBody(): void {
    const limit = this.settings.limitRequestBody;
    if (limit <= 0) return;
    let received = 0;
    const count = (chunk: Buffer): void => {
      received += chunk.length;
      if (received <= limit) return;
      this.req.off("data", count);
      this.req.unpipe(this.child.stdin);
      this.child.stdin.destroy();
      if (this.done) return;
      this.settings.log("error", `request body larger than ${limit} bytes for ${this.file}`);
      this.termination.begin(KILL_GRACE_MS);
      this.finishWith(413);
    };
    this.req.on("data", count);
  }

  private output(chunk: Buffer): void {
    // After the client went away, what the script still writes has nowhere to go.
    if (this.done || this.res.destroyed) return;
    this.idle.restart();
    if (this.head !== null) {
      this.body(chunk);
      return;
    }
    const progress = this.parser.feed(chunk);
    if (progress.kind === "more") return;
    if (progress.kind === "error") {
      this.fail(`${progress.message}: ${this.file}`);
      return;
    }
    this.head = progress.head;
    if (progress.head.localRedirect !== null) {
      this.localRedirect(progress.head.localRedirect);
      return;
    }
    const { status, reason, headers } = progress.head;
    // Duplicates combined as Apache combines a script's (and a daemon's) headers; over
    // HTTP/2 the reason phrase is dropped (http/h2-compat.ts).
    const merged = mergeResponseHeaders(headers.flat());
    this.res.writeHead(status, reason ?? STATUS_CODES[status] ?? "", merged);
    if (progress.rest.length > 0) this.body(progress.rest);
  }

  /** A piece of the body, with back-pressure: the script waits while the client does. */
  private body(chunk: Buffer): void {
    countBody(this.res, chunk.length);
    if (this.res.write(chunk)) return;
    this.child.stdout.pause();
    this.idle.pause();
    this.res.once("drain", () => {
      this.idle.restart();
      this.child.stdout.resume();
    });
  }

  private outputEnded(): void {
    if (this.done) return;
    if (this.head === null) {
      this.fail(`End of script output before headers: ${this.file}`);
      return;
    }
    this.done = true;
    this.idle.stop();
    this.res.end();
  }

  /** The output after a local redirect's head is discarded; the path is served. */
  private localRedirect(path: string): void {
    this.done = true;
    this.idle.stop();
    this.child.stdout.resume();
    this.req.unpipe(this.child.stdin);
    this.child.stdin.destroy();
    this.settings.redirect(this.req, this.res, path);
  }

  private timedOut(): void {
    this.settings.log("error", `Timeout waiting for output from CGI script ${this.file}`);
    this.termination.begin(KILL_GRACE_MS);
    this.finishWith(504);
  }

  /** The script's fault: logged, a 500 if nothing was sent yet, else a cut connection. */
  private fail(message: string): void {
    if (this.done) return;
    this.settings.log("error", message);
    this.termination.begin(KILL_GRACE_MS);
    this.finishWith(500);
  }

  private finishWith(status: number): void {
    this.done = true;
    this.idle.stop();
    if (this.res.headersSent) this.res.destroy();
    // 413: the rest of the body is never read, so the connection cannot be reused.
    else this.settings.sendError(this.res, status, status === 413 ? { close: true } : {});
  }

  /** Each line the script writes to stderr is an error log line, as mod_cgi logs them. */
  private logStderr(text: string): void {
    const lines = (this.stderrTail + text).split("\n");
    this.stderrTail = (lines.pop() ?? "").slice(-8192);
    for (const line of lines) {
      if (line.trim() !== "") this.settings.log("error", `${line}: ${this.file}`);
    }
  }
}
