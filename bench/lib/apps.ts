/**
 * The five benchmark apps (bench/apps/*.wsgi) and how wrk drives each one.
 * Every peer runs the same file: copied into a scratch directory as NAME.py so that
 * module-based servers (gunicorn, waitress, Granian) can import it too.
 */
import { join } from "node:path";
import { APPS_DIR } from "./paths.js";

export interface AppSpec {
  readonly name: string;
  readonly title: string;
  /** wrk's keep-alive connections. */
  readonly connections: number;
  /** A wrk Lua script in bench/apps/, for request bodies. */
  readonly wrkScript: string | null;
  /** The request that proves a server runs the app, and the body size it must answer. */
  readonly check: { readonly method: "GET" | "POST"; readonly bodyBytes: number };
  readonly expectedBytes: number;
}

const MIB = 1024 * 1024;

export const APPS: readonly AppSpec[] = [
  {
    name: "hello",
    title: "hello world (12 bytes, Content-Length set), 50 connections",
    connections: 50,
    wrkScript: null,
    check: { method: "GET", bodyBytes: 0 },
    expectedBytes: 12,
  },
  {
    name: "flask_json",
    title: "Flask, 20-field JSON object, 50 connections",
    connections: 50,
    wrkScript: null,
    check: { method: "GET", bodyBytes: 0 },
    expectedBytes: -1,
  },
  {
    name: "big_response",
    title: "1 MiB response body, 50 connections",
    connections: 50,
    wrkScript: null,
    check: { method: "GET", bodyBytes: 0 },
    expectedBytes: MIB,
  },
  {
    name: "echo_upload",
    title: "1 MiB upload echoed back, 50 connections",
    connections: 50,
    wrkScript: join(APPS_DIR, "upload.lua"),
    check: { method: "POST", bodyBytes: MIB },
    expectedBytes: MIB,
  },
  {
    name: "sleep_10ms",
    title: "time.sleep(0.01), 200 connections (thread capacity: 8 threads -> ~800 req/s)",
    connections: 200,
    wrkScript: null,
    check: { method: "GET", bodyBytes: 0 },
    expectedBytes: 12,
  },
];

export function appSource(app: AppSpec): string {
  return join(APPS_DIR, `${app.name}.wsgi`);
}
