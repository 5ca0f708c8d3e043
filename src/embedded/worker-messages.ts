/** The messages between the primary and its embedded workers (over cluster's IPC). */
import type { ServerConfig } from "../config/server-config.js";

/** File descriptors of a worker, beyond stdin/out/err and IPC: lines the primary writes
 *  as they are into the error log (the worker's own ErrorLog) and the access log. */
export const WORKER_ERROR_LOG_FD = 4;
export const WORKER_ACCESS_LOG_FD = 5;

/** Primary -> worker. */
export type ToWorker =
  | {
      readonly type: "start";
      readonly config: ServerConfig;
      readonly addon: string;
      readonly library: string;
      readonly programName: string;
      readonly processIndex: number;
    }
  | { readonly type: "stop" }
  /** Its replacement is ready: stop accepting, let the requests in flight finish
   *  within `withinMs`, then exit (worker-set.ts's graceful replacement). */
  | { readonly type: "drain"; readonly reason: string; readonly withinMs: number };

export interface StartReport {
  readonly app: { readonly loaded: boolean; readonly error: string | null };
  readonly python: {
    readonly version: string;
    readonly prefix: string;
    readonly executable: string;
  };
}

/** Worker -> primary. */
export type FromWorker =
  | { readonly type: "listening" }
  | ({ readonly type: "ready"; readonly port: number } & StartReport)
  | { readonly type: "failed"; readonly message: string }
  /** A recycle rule fired (recycle-watch.ts): replace this worker gracefully. */
  | { readonly type: "recycle"; readonly reason: string };
