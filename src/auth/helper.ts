/**
 * Runs the hook scripts' checks on the auth helper process and keeps one running:
 * started on the first check, restarted after a crash with a growing delay when it
 * keeps dying (process/respawn-backoff.ts), and replaced when a check outlives its
 * deadline: a Python thread stuck in a script cannot be interrupted, so new checks go
 * to a fresh helper and the old one is stopped once the checks it still holds are
 * answered or have timed out themselves. A check that times out, or whose helper died,
 * fails on its own; the others are not held up.
 */
import { RespawnBackoff } from "../process/respawn-backoff.js";
import type { TimerHandle, Timers } from "../process/timers.js";

export type Hook = "access" | "check_password" | "get_realm_hash" | "groups";

export interface CheckRequest {
  readonly hook: Hook;
  readonly script: string;
  readonly environ: Readonly<Record<string, string>>;
  readonly args: readonly string[];
}

/** The helper's answer (its verdicts: python/_wsgi_express/auth_helper.py), or why
 *  there is none. */
export type CheckOutcome =
  | { readonly kind: "answer"; readonly verdict: string; readonly value: unknown }
  | { readonly kind: "failed"; readonly why: "timeout" | "crash" };

export interface HelperEvents {
  line(line: string): void;
  exit(code: number | null, signal: string | null): void;
}

/** The helper process as the supervisor sees it (helper-process.ts; fakes in tests). */
export interface HelperChild {
  readonly pid: number;
  readonly startedAt: number;
  send(line: string): void;
  stop(graceMs: number): void;
}

export type SpawnHelper = (events: HelperEvents, startedAt: number) => HelperChild;

interface Pending {
  readonly id: number;
  readonly line: string;
  readonly hook: Hook;
  readonly script: string;
  readonly resolve: (outcome: CheckOutcome) => void;
  timer: TimerHandle | undefined;
  generation: Generation | null;
}

/** One helper process and the checks it holds. */
class Generation {
  readonly pending = new Map<number, Pending>();
  retiring = false;
  exited = false;

  constructor(readonly child: HelperChild) {}
}

export interface HelperSettings {
  /** How long a check may take (--request-timeout). */
  readonly timeoutMs: number;
  /** How long a stopped helper has to exit before SIGKILL (--shutdown-timeout). */
  readonly graceMs: number;
}

export class AuthHelper {
  private current: Generation | null = null;
  private readonly waiting: Pending[] = [];
  private readonly backoff = new RespawnBackoff();
  private notBefore = 0;
  private startTimer: TimerHandle | undefined;
  private nextId = 0;
  private stopped = false;

  constructor(
    private readonly spawnHelper: SpawnHelper,
    private readonly timers: Timers,
    private readonly settings: HelperSettings,
    private readonly log: { error(message: string): void; info(message: string): void },
  ) {}

  check(request: CheckRequest): Promise<CheckOutcome> {
    return new Promise((resolve) => {
      if (this.stopped) {
        resolve({ kind: "failed", why: "crash" });
        return;
      }
      this.nextId += 1;
      const id = this.nextId;
      const line = JSON.stringify({ id, ...request });
      const { hook, script } = request;
      const pending: Pending = {
        id,
        line,
        hook,
        script,
        resolve,
        timer: undefined,
        generation: null,
      };
      pending.timer = this.timers.setTimeout(() => {
        this.timedOut(pending);
      }, this.settings.timeoutMs);
      const generation = this.current;
      if (generation === null) {
        this.waiting.push(pending);
        this.ensureStarting();
      } else {
        this.dispatch(generation, pending);
      }
    });
  }

  /** Stops every helper; checks still waiting fail. */
  stop(): void {
    this.stopped = true;
    this.timers.clearTimeout(this.startTimer);
    for (const pending of this.waiting.splice(0))
      this.settle(pending, { kind: "failed", why: "crash" });
    const generation = this.current;
    this.current = null;
    generation?.child.stop(this.settings.graceMs);
  }

  private dispatch(generation: Generation, pending: Pending): void {
    pending.generation = generation;
    generation.pending.set(pending.id, pending);
    generation.child.send(pending.line);
  }

  private ensureStarting(): void {
    if (this.current !== null || this.startTimer !== undefined || this.stopped) return;
    const delay = Math.max(0, this.notBefore - this.timers.now());
    if (delay === 0) {
      this.start();
      return;
    }
    this.startTimer = this.timers.setTimeout(() => {
      this.startTimer = undefined;
      this.start();
    }, delay);
  }

  private start(): void {
    if (this.stopped || this.waiting.length === 0) return;
    let generation: Generation | null = null;
    const child = this.spawnHelper(
      {
        line: (line) => {
          if (generation !== null) this.answered(generation, line);
        },
        exit: (code, signal) => {
          if (generation !== null) this.exited(generation, code, signal);
        },
      },
      this.timers.now(),
    );
    generation = new Generation(child);
    this.current = generation;
    this.log.info(`started the auth helper (pid ${child.pid})`);
    for (const pending of this.waiting.splice(0)) this.dispatch(generation, pending);
  }

  private answered(generation: Generation, line: string): void {
    let reply: { id?: unknown; verdict?: unknown; value?: unknown };
    try {
      reply = JSON.parse(line) as typeof reply;
    } catch {
      this.log.error(`auth helper (pid ${generation.child.pid}) wrote an unreadable line`);
      return;
    }
    const pending = typeof reply.id === "number" ? generation.pending.get(reply.id) : undefined;
    if (pending === undefined) return;
    this.settle(pending, { kind: "answer", verdict: String(reply.verdict), value: reply.value });
    this.stopIfDone(generation);
  }

  private timedOut(pending: Pending): void {
    pending.timer = undefined;
    const generation = pending.generation;
    const seconds = this.settings.timeoutMs / 1000;
    this.settle(pending, { kind: "failed", why: "timeout" });
    if (generation === null || generation.exited) {
      this.log.error(
        `auth: ${pending.hook} in '${pending.script}' could not start within ${seconds}s (the auth helper is restarting): 500`,
      );
      return;
    }
    this.log.error(
      `auth: ${pending.hook} in '${pending.script}' did not answer within ${seconds}s: 500; ` +
        `the auth helper (pid ${generation.child.pid}) is replaced`,
    );
    this.retire(generation);
  }

  /** New checks go to a new helper; this one stops once it holds no more checks. */
  private retire(generation: Generation): void {
    if (this.current === generation) this.current = null;
    generation.retiring = true;
    this.stopIfDone(generation);
  }

  private stopIfDone(generation: Generation): void {
    if (generation.retiring && generation.pending.size === 0 && !generation.exited) {
      generation.child.stop(this.settings.graceMs);
    }
  }

  private exited(generation: Generation, code: number | null, signal: string | null): void {
    if (generation.exited) return;
    generation.exited = true;
    const lost = [...generation.pending.values()];
    for (const pending of lost) this.settle(pending, { kind: "failed", why: "crash" });
    const wasCurrent = this.current === generation;
    if (wasCurrent) this.current = null;
    // A retired helper exiting as asked, or any helper at shutdown, is no news.
    if (this.stopped || (!wasCurrent && lost.length === 0)) return;
    const how = signal !== null ? `signal ${signal}` : `status ${String(code)}`;
    this.log.error(
      `auth helper (pid ${generation.child.pid}) exited with ${how}; ` +
        `${lost.length} check(s) in flight failed (500)` +
        (wasCurrent ? "; it is restarted for the next check" : ""),
    );
    if (!wasCurrent) return;
    const now = this.timers.now();
    this.notBefore = now + this.backoff.next(now, generation.child.startedAt);
    if (this.waiting.length > 0) this.ensureStarting();
  }

  private settle(pending: Pending, outcome: CheckOutcome): void {
    this.timers.clearTimeout(pending.timer);
    pending.timer = undefined;
    pending.generation?.pending.delete(pending.id);
    const waitingAt = this.waiting.indexOf(pending);
    if (waitingAt !== -1) this.waiting.splice(waitingAt, 1);
    pending.resolve(outcome);
  }
}
