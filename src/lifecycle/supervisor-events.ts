/** What the supervisor's loop (supervisor.ts) handles, one event at a time. */
import type { DaemonProcess } from "./daemon-process.js";
import type { RestartSignal } from "./restart-signals.js";

export type SupervisorEvent =
  /** SIGHUP or SIGUSR1 reached the server. */
  | { readonly type: "signal"; readonly signal: RestartSignal }
  /** Every 250 ms: the queue's --queue-timeout / --connect-timeout sweep. */
  | { readonly type: "sweep" }
  /** Every second: deadlock, the recycle rules, script reloading. */
  | { readonly type: "check" }
  /** A daemon process exited. */
  | {
      readonly type: "exit";
      readonly daemon: DaemonProcess;
      readonly code: number | null;
      readonly signal: string | null;
    }
  /** The crash back-off for slot `index` has passed: start its process again. */
  | { readonly type: "respawn"; readonly index: number }
  /** A daemon asked to be replaced (control RECYCLE: cpu_time_limit, SIGUSR1, ...). */
  | { readonly type: "asked"; readonly daemon: DaemonProcess; readonly reason: string }
  /** A rule outside the ticks wants `daemon` replaced (--maximum-requests, a request
   *  stuck past --interrupt-timeout). */
  | { readonly type: "recycle"; readonly daemon: DaemonProcess; readonly reason: string }
  /** --startup-timeout passed for `daemon`. */
  | { readonly type: "startup-timeout"; readonly daemon: DaemonProcess };
