/**
 * The start-up banner, in mod_wsgi-express's shape: labels padded to 19 columns then
 * `: `, the lines in its order and shown when it shows them (6.0.5, _cmd_setup_server).
 * Ours adds the Python in use and the application's state, last: tests and tooling read
 * the `Server URL` line to find the bound port, and the `Application` line as its end.
 */
import { join } from "node:path";
import type { ServerConfig } from "../config/server-config.js";
import type { AppStatus, PythonReport } from "./daemon-process.js";
import { rootWarnings } from "./root-warning.js";

export interface BannerFacts {
  /** The port listened on (the one the system chose, for `--port 0`). */
  readonly port: number;
  /** `https://<server-name>:<port>/` with --https-port, else null. */
  readonly httpsUrl?: string | null;
  /** `http://127.0.0.1:<port>/` with --enable-telemetry (the port bound), else null. */
  readonly telemetryUrl?: string | null;
  readonly errorLog: string;
  readonly accessLog: string | null;
  readonly app: AppStatus | null;
  readonly python: PythonReport | null;
  /** setup-server (or --setup-only): the control script and envvars are shown. */
  readonly setup?: boolean;
  /** The user the server runs as, for the warnings about root (default: this process's). */
  readonly uid?: number;
}

type Row = readonly [string, string];

export function formatBanner(config: ServerConfig, facts: BannerFacts): string {
  const rows: Row[] = [
    ["Server URL", serverUrl(config, facts.port)],
    ...(facts.httpsUrl ? [["Server URL (HTTPS)", facts.httpsUrl] as const] : []),
    ...(facts.telemetryUrl ? [["Telemetry UI", facts.telemetryUrl] as const] : []),
    ["Server Root", config.serverRoot],
    ["Error Log File", `${facts.errorLog} (${config.logging.logLevel})`],
    ...outputRows(config, facts),
    ...capacityRows(config),
    ["Python Executable", config.daemons.python.executable],
    ["Python Version", facts.python?.version ?? config.daemons.python.version],
    ["Python Prefix", facts.python?.prefix ?? config.daemons.python.prefix],
    ["Application", applicationLine(config, facts.app)],
  ];
  return (
    rows.map(([label, value]) => `${label.padEnd(19)}: ${value}\n`).join("") +
    rootLines(config, facts.uid ?? process.getuid?.())
  );
}

/** A `Warning` line per Python process kind that runs as root (root-warning.ts). */
export function rootLines(config: ServerConfig, uid = process.getuid?.()): string {
  return rootWarnings(config, uid)
    .map((warning) => `${"Warning".padEnd(19)}: ${warning}\n`)
    .join("");
}

/** As mod_wsgi-express names it: the server name (which the host checks accept) if
 *  given, else the host, else localhost; no port for 80. */
export function serverUrl(config: ServerConfig, port: number): string {
  const { listen } = config;
  const host = listen.serverName;
  return port === 80 ? `http://${host}/` : `http://${host}:${port}/`;
}

/** The files the server writes, each shown when its feature is on. */
function outputRows(config: ServerConfig, facts: BannerFacts): Row[] {
  const { debug, logging, control } = config;
  const rows: Row[] = [];
  if (facts.accessLog !== null) rows.push(["Access Log File", facts.accessLog]);
  if (logging.startupLog !== null) rows.push(["Startup Log File", logging.startupLog]);
  // Written when the server stops.
  if (debug.coverageDirectory !== null) {
    rows.push(["Coverage Output", join(debug.coverageDirectory, "index.html")]);
  }
  if (debug.profilerDirectory !== null) rows.push(["Profiler Output", debug.profilerDirectory]);
  if (debug.recorderDirectory !== null) rows.push(["Recorder Output", debug.recorderDirectory]);
  const envvars = control.envvarsScript ?? (facts.setup === true ? control.envvarsFile : null);
  if (envvars !== null) rows.push(["Environ Variables", envvars]);
  if (facts.setup === true) rows.push(["Control Script", control.controlScript]);
  return rows;
}

/** Capacity and the timeouts; daemon-mode lines only outside debug mode, and a timeout
 *  of 0 (off) only where mod_wsgi-express shows it too. */
function capacityRows(config: ServerConfig): Row[] {
  const { daemons, clients } = config;
  const debugMode = config.debug.debugMode;
  const capacity = daemons.processes * daemons.threads;
  const processes = plural(daemons.processes, "process", "processes");
  const threads = plural(daemons.threads, "thread", "threads");
  const rows: Row[] = [
    ["Operating Mode", debugMode ? "debug" : config.daemons.embedded ? "embedded" : "daemon"],
    ["Request Capacity", `${capacity} (${processes} * ${threads})`],
  ];
  if (!debugMode) {
    rows.push(["Request Timeout", seconds(daemons.requestTimeout)]);
    if (daemons.interruptTimeout > 0) {
      rows.push(["Interrupt Timeout", seconds(daemons.interruptTimeout)]);
    }
    if (daemons.startupTimeout > 0) rows.push(["Startup Timeout", seconds(daemons.startupTimeout)]);
    // The front end holds requests past the threads' capacity, up to --max-clients
    // and --daemon-backlog.
    const backlog = Math.min(Math.max(0, clients.maxClients - capacity), daemons.backlog);
    rows.push(
      ["Queue Backlog", `${String(backlog)} (requests)`],
      ["Queue Timeout", seconds(daemons.queueTimeout)],
      ["Server Capacity", `${clients.maxClients} (requests in progress)`],
    );
  }
  rows.push(
    ["Server Backlog", `${config.listen.backlog} (connections)`],
    ["Locale Setting", daemons.environment["LC_ALL"] ?? daemons.environment["LANG"] ?? "C"],
  );
  return rows;
}

function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}

function seconds(value: number): string {
  return `${value} (seconds)`;
}

function applicationLine(config: ServerConfig, app: AppStatus | null): string {
  const { entryPoint, type } = config.application;
  const name = type === "static" ? "(static)" : (entryPoint ?? "(default page)");
  if (app === null) return `${name} (not loaded yet)`;
  return app.loaded ? `${name} (loaded)` : `${name} (FAILED to load: see the error log)`;
}
