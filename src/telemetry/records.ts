/** What telemetry is told: finished requests, running ones, restarts (shapes only). */

/** One finished request, as the front end saw it. Times in seconds unless named. */
export interface RequestRecord {
  readonly method: string;
  /** The request's path (with its query string only with +CaptureQueryString). */
  readonly path: string;
  readonly status: number;
  /** Kept with +CaptureUserAgent; else null. */
  readonly userAgent: string | null;
  /** Arrival to queueing (reading a body ahead, the site's checks). */
  readonly server: number;
  /** Queueing to a thread taking it (or, if none did, to the end). */
  readonly queue: number;
  /** A thread taking it to the application's last byte; null: it never ran. */
  readonly application: number | null;
  /** Arrival to the response's end (or the client leaving). */
  readonly total: number;
  /** The daemon process and thread that ran it; null: none did. */
  readonly pid: number | null;
  readonly thread: number | null;
  /** When a thread took it and when the backend was done with it (monotonic ms). */
  readonly startedAt: number | null;
  readonly endedAt: number;
}

/** A request not yet recorded: busy time is counted while a thread runs it. */
export interface RunningRequest {
  /** Its process, when a thread took it and (once the backend is done with it, its
   *  response still going out) when that ended; null when no thread has taken it. */
  running(): {
    readonly pid: number;
    readonly startedAt: number;
    readonly endedAt: number | null;
  } | null;
}

/** A daemon process replaced, and why (a mod_wsgi process_stopping reason, or "exit"
 *  when it died unasked). */
export interface Restart {
  readonly pid: number;
  readonly reason: string;
}

export type StatusClass = "1xx" | "2xx" | "3xx" | "4xx" | "5xx";
export const STATUS_CLASSES: readonly StatusClass[] = ["1xx", "2xx", "3xx", "4xx", "5xx"];

/** 5xx for anything outside 100-599 (a response that could not be given). */
export function statusClass(status: number): StatusClass {
  const hundreds = Math.floor(status / 100);
  return STATUS_CLASSES[hundreds >= 1 && hundreds <= 5 ? hundreds - 1 : 4] ?? "5xx";
}
