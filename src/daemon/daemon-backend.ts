/** The daemon processes as a backend: each session waits for, then runs on, one of
 *  their threads (pool.ts). */
import type {
  Backend,
  BackendSession,
  SessionEvents,
  SessionRequest,
} from "../exchange/backend.js";
import { DaemonSession, type SessionContext } from "./daemon-session.js";
import type { DaemonPool } from "./pool.js";
import type { SessionTimerCalls } from "./session-timers.js";

export interface DaemonBackendSettings {
  /** --request-timeout and --socket-timeout, in seconds; 0: none. */
  readonly requestTimeout: number;
  readonly socketTimeout: number;
  readonly logError: (message: string) => void;
  readonly timers?: SessionTimerCalls;
}

export class DaemonBackend implements Backend {
  private readonly context: SessionContext;

  constructor(pool: DaemonPool, settings: DaemonBackendSettings) {
    this.context = {
      release: (channel) => {
        pool.release(channel);
      },
      abort: (pid, id) => {
        pool.abort(pid, id);
      },
      withdraw: (channel) => {
        pool.withdraw(channel);
      },
      timedOut: (channel, id) => {
        pool.timedOut(channel, id);
      },
      dispatch: (session) => {
        pool.dispatch(session);
      },
      logError: settings.logError,
      now: () => performance.now(),
      requestTimeoutMs: settings.requestTimeout * 1000,
      socketTimeoutMs: settings.socketTimeout * 1000,
      ...(settings.timers ? { timers: settings.timers } : {}),
    };
  }

  open(request: SessionRequest, events: SessionEvents): BackendSession {
    return new DaemonSession(request, events, this.context);
  }
}
