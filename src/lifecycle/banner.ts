/**
 * The start-up banner, in mod_wsgi-express's shape: labels padded to 19 columns then
 * `: `. Tests and tooling read the `Server URL` line to find the bound port.
 */
import { join } from "node:path";
import type { ServerConfig } from "../config/server-config.js";
import type { AppStatus, PythonReport } from "./daemon-process.js";
import { rootWarnings } from "./root-warning.js";

export interface BannerFacts {
  readonly url: string;
  /** `https://<server-name>:<port>/` with --https-port, else null. */
  readonly httpsUrl?: string | null;
  readonly errorLog: string;
  readonly accessLog: string | null;
  readonly app: AppStatus | null;
  readonly python: PythonReport | null;
}

export function formatBanner(config: ServerConfig, facts: BannerFacts): string {
  const { daemons, logging } = config;
  const capacity = daemons.processes * daemons.threads;
  const plural = daemons.processes === 1 ? "process" : "processes";
  const rows: [string, string][] = [
    ["Server URL", facts.url],
    ...(facts.httpsUrl ? [["Server URL (HTTPS)", facts.httpsUrl] as [string, string]] : []),
    ["Server Root", config.serverRoot],
    ["Error Log File", `${facts.errorLog} (${logging.logLevel})`],
  ];
  if (facts.accessLog) rows.push(["Access Log File", facts.accessLog]);
  rows.push(
    ["Operating Mode", config.debug.debugMode ? "debug" : "daemon"],
    [
      "Request Capacity",
      `${capacity} (${daemons.processes} ${plural} * ${daemons.threads} threads)`,
    ],
    ["Request Timeout", `${daemons.requestTimeout} (seconds)`],
    ["Startup Timeout", `${daemons.startupTimeout} (seconds)`],
    ["Queue Timeout", `${daemons.queueTimeout} (seconds)`],
    ["Server Backlog", String(config.listen.backlog)],
    ["Python Executable", daemons.python.executable],
    ["Python Version", facts.python?.version ?? daemons.python.version],
    ["Python Prefix", facts.python?.prefix ?? daemons.python.prefix],
    ["Application", applicationLine(config, facts.app)],
  );
  // Written when the server stops (mod_wsgi-express prints it as "Coverage Output").
  const { coverageDirectory } = config.debug;
  if (coverageDirectory !== null) {
    rows.push(["Coverage Output", join(coverageDirectory, "index.html")]);
  }
  return (
    rows.map(([label, value]) => `${label.padEnd(19)}: ${value}\n`).join("") + rootLines(config)
  );
}

/** A `Warning` line per Python process kind that runs as root (root-warning.ts). */
export function rootLines(config: ServerConfig, uid = process.getuid?.()): string {
  return rootWarnings(config, uid)
    .map((warning) => `${"Warning".padEnd(19)}: ${warning}\n`)
    .join("");
}

function applicationLine(config: ServerConfig, app: AppStatus | null): string {
  const { entryPoint } = config.application;
  const name = entryPoint ?? "(default page)";
  if (app === null) return `${name} (not loaded yet)`;
  return app.loaded ? `${name} (loaded)` : `${name} (FAILED to load: see the error log)`;
}
