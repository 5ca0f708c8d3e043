/**
 * The servers compared, each started on 127.0.0.1 with the same worker budget:
 * 2 processes x 4 threads where the server has both. Where a default would measure a
 * configuration artefact rather than the server (a listen queue or connection limit
 * below the 200 connections of the sleep test), it is raised, and the note says so.
 */
import { accessSync, constants } from "node:fs";
import { join } from "node:path";
import type { AppSpec } from "./apps.js";
import type { Launch } from "./server-process.js";
import { NODE_HELLO, VENV, VENV_BIN, WSGI_EXPRESS_BIN } from "./paths.js";

export interface PeerContext {
  readonly app: AppSpec;
  /** A free port chosen for the peer (wsgi-express binds port 0 and prints its own). */
  readonly port: number;
  /** The scratch directory holding every app as NAME.py, readable by www-data. */
  readonly appsDir: string;
  /** A fresh directory owned by this peer for this app. */
  readonly workDir: string;
}

export interface PeerSpec {
  readonly name: string;
  readonly label: string;
  /** How it is configured, for the results file. */
  readonly note: string;
  /** Files that must exist for the peer to run; the first missing one is the reason. */
  readonly requires: readonly string[];
  readonly supports: (app: AppSpec) => boolean;
  /** Its worker processes each accept connections for themselves, and a connection
   *  stays with the one that took it (the report shows a lopsided split). */
  readonly workersAccept?: boolean;
  /** Apache writes its configuration first; the rest only build a command line. */
  readonly launch: (ctx: PeerContext) => Launch;
}

const PYTHON = join(VENV_BIN, "python");
const HOST = "127.0.0.1";
const all = (): boolean => true;
const script = (ctx: PeerContext): string => join(ctx.appsDir, `${ctx.app.name}.py`);
const venvEnv = (ctx: PeerContext): Record<string, string> => ({ PYTHONPATH: ctx.appsDir });

export function missingReason(peer: PeerSpec): string | null {
  for (const path of peer.requires) {
    try {
      accessSync(path, constants.R_OK);
    } catch {
      return `${path} not found (run bench/install-peers.sh)`;
    }
  }
  return null;
}

const wsgiExpress: PeerSpec = {
  name: "wsgi-express",
  label: "wsgi-express",
  note: "--processes 2 --threads 4, venv Python, no access log",
  requires: [WSGI_EXPRESS_BIN, PYTHON],
  supports: all,
  launch: (ctx) => ({
    command: process.execPath,
    args: [
      ...(process.env.BENCH_NODE_ARGS?.split(" ").filter(Boolean) ?? []),
      WSGI_EXPRESS_BIN,
      "start-server",
      script(ctx),
      ...["--host", HOST, "--port", "0", "--processes", "2", "--threads", "4"],
      ...["--server-root", join(ctx.workDir, "root"), "--python-executable", PYTHON],
      // Options to try in an experiment (cpu-split.ts); the benchmark's runs set none.
      ...(process.env.BENCH_SERVER_ARGS?.split(" ").filter(Boolean) ?? []),
    ],
    port: null,
    portPattern: /Server URL\s*: http:\/\/127\.0\.0\.1:(\d+)\//,
  }),
};

/** The same server with --embedded-mode: Python inside the front end's workers (issue
 *  #25). Two threads a process: the prototype found two beat four there. */
const wsgiExpressEmbedded: PeerSpec = {
  ...wsgiExpress,
  name: "wsgi-express-embedded",
  label: "wsgi-express --embedded-mode",
  note: "--embedded-mode --processes 2 --threads 2, venv Python, no access log",
  launch: (ctx) => {
    const launched = wsgiExpress.launch(ctx);
    const args = launched.args.map((arg, i) => (launched.args[i - 1] === "--threads" ? "2" : arg));
    return { ...launched, args: [...args, "--embedded-mode"] };
  },
};

function gunicorn(worker: "sync" | "gthread"): PeerSpec {
  const threads = worker === "gthread" ? ["--threads", "4"] : [];
  return {
    name: `gunicorn-${worker}`,
    label: `gunicorn ${worker}`,
    note:
      worker === "sync"
        ? "-w 2 -k sync (no threads; closes the connection after each response)"
        : "-w 2 -k gthread --threads 4",
    requires: [join(VENV_BIN, "gunicorn")],
    supports: all,
    workersAccept: true,
    launch: (ctx) => ({
      command: join(VENV_BIN, "gunicorn"),
      args: [
        ...["-w", "2", "-k", worker, ...threads, "-b", `${HOST}:${ctx.port}`],
        ...["--chdir", ctx.appsDir, "--log-level", "warning", `${ctx.app.name}:application`],
      ],
      env: venvEnv(ctx),
      port: ctx.port,
    }),
  };
}

function uwsgi(socket: "http-socket" | "http11-socket"): PeerSpec {
  return {
    name: `uwsgi-${socket}`,
    label: `uWSGI --${socket}`,
    note: `--${socket} --master --processes 2 --threads 4 --listen 1024 (default 100)`,
    requires: [join(VENV_BIN, "uwsgi")],
    supports: all,
    workersAccept: true,
    launch: (ctx) => ({
      command: join(VENV_BIN, "uwsgi"),
      args: [
        ...[`--${socket}`, `${HOST}:${ctx.port}`, "--wsgi-file", script(ctx)],
        ...["--master", "--processes", "2", "--threads", "4", "--listen", "1024"],
        ...["--virtualenv", VENV, "--chdir", ctx.appsDir],
        ...["--die-on-term", "--disable-logging", "--need-app"],
      ],
      port: ctx.port,
    }),
  };
}

const apache: PeerSpec = {
  name: "mod_wsgi",
  label: "Apache mod_wsgi daemon",
  note: "Debian apache2 + mod_wsgi 4.9, mpm_event, WSGIDaemonProcess processes=2 threads=4, Debian python3",
  requires: ["/usr/sbin/apache2", "/usr/lib/apache2/modules/mod_wsgi.so"],
  supports: all,
  workersAccept: true,
  launch: (ctx) => ({
    command: "/usr/sbin/apache2",
    args: ["-f", join(ctx.workDir, "httpd.conf"), "-DFOREGROUND"],
    port: ctx.port,
  }),
};

const waitress: PeerSpec = {
  name: "waitress",
  label: "waitress",
  note: "one process (no multi-process mode) --threads 8 --connection-limit 1000 (default 100)",
  requires: [join(VENV_BIN, "waitress-serve")],
  supports: all,
  launch: (ctx) => ({
    command: join(VENV_BIN, "waitress-serve"),
    args: [
      ...[`--listen=${HOST}:${ctx.port}`, "--threads=8", "--connection-limit=1000"],
      `${ctx.app.name}:application`,
    ],
    env: venvEnv(ctx),
    cwd: ctx.appsDir,
    port: ctx.port,
  }),
};

const granian: PeerSpec = {
  name: "granian",
  label: "Granian",
  note: "--interface wsgi --workers 2 --blocking-threads 4",
  requires: [join(VENV_BIN, "granian")],
  supports: all,
  workersAccept: true,
  launch: (ctx) => ({
    command: join(VENV_BIN, "granian"),
    args: [
      ...["--interface", "wsgi", "--host", HOST, "--port", String(ctx.port)],
      ...["--workers", "2", "--blocking-threads", "4", "--log-level", "warning"],
      ...["--working-dir", ctx.appsDir, `${ctx.app.name}:application`],
    ],
    env: venvEnv(ctx),
    port: ctx.port,
  }),
};

const nodeHello: PeerSpec = {
  name: "node-http",
  label: "Node.js http (ceiling)",
  note: "plain node:http hello server, one process, no Python: hello app only",
  requires: [NODE_HELLO],
  supports: (app) => app.name === "hello",
  launch: (ctx) => ({
    command: process.execPath,
    args: [NODE_HELLO, String(ctx.port)],
    port: ctx.port,
  }),
};

export const PEERS: readonly PeerSpec[] = [
  wsgiExpress,
  wsgiExpressEmbedded,
  gunicorn("sync"),
  gunicorn("gthread"),
  uwsgi("http-socket"),
  uwsgi("http11-socket"),
  apache,
  waitress,
  granian,
  nodeHello,
];
