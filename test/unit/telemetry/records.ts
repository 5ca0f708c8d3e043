import type { RequestRecord } from "../../../src/telemetry/records.js";

/** A request record with the given fields, the rest plain. */
export function record(fields: Partial<RequestRecord> = {}): RequestRecord {
  return {
    method: "GET",
    path: "/",
    status: 200,
    userAgent: null,
    server: 0.001,
    queue: 0.002,
    application: 0.01,
    total: 0.013,
    pid: 100,
    thread: 1,
    startedAt: 0,
    endedAt: 10,
    ...fields,
  };
}
