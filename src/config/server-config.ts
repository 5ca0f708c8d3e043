/**
 * The validated, frozen configuration of one server. Built once at the edge from argv and
 * the environment (src/config/resolve.ts); nothing downstream re-checks options.
 * Times are in seconds, as the options give them; sizes in bytes.
 */
import type { LogLevel } from "../log-levels.js";
import type { AuthConfig } from "./auth-config.js";
import type { ErrorLogItem } from "./error-log-format.js";
import type { SiteFeatures } from "./resolve-site-features.js";
import type { HealthConfig } from "./resolve-health.js";
import type { ReverseProxyConfig } from "./resolve-proxy-routes.js";
import type { TelemetryConfig } from "./resolve-telemetry.js";
import type { ClientConfig, HttpConfig, ProxyConfig, TlsConfig } from "./front-end-config.js";

export type { AuthConfig } from "./auth-config.js";
export type {
  ClientConfig,
  HttpConfig,
  ProxyConfig,
  ReadPhaseLimit,
  TlsConfig,
} from "./front-end-config.js";

export interface ServerConfig {
  readonly command: "start-server" | "setup-server";
  /** `--setup-only` (and always for setup-server): write the server root, print the
   *  banner, do not serve. */
  readonly setupOnly: boolean;

  readonly application: ApplicationConfig;
  readonly listen: ListenConfig;
  readonly daemons: DaemonConfig;
  readonly http: HttpConfig;
  readonly logging: LoggingConfig;
  /** Slow and greedy clients: read timeouts, caps, response buffering. */
  readonly clients: ClientConfig;
  /** Forwarded headers believed from trusted proxies (--trust-proxy-header/--trust-proxy). */
  readonly proxy: ProxyConfig;
  /** --proxy-mount-point, --proxy-virtual-host, --proxy-timeout (src/proxy/). */
  readonly reverseProxy: ReverseProxyConfig;
  /** Host checks, static files, error documents and compression (src/static/). */
  readonly site: SiteConfig;
  /** The HTTPS listener (--https-port and the ssl options); null: HTTP only. */
  readonly tls: TlsConfig | null;
  /** Liveness and readiness paths, the shutdown delay (containers, load balancers). */
  readonly health: HealthConfig;
  /** The host access and authentication scripts (src/auth/). */
  readonly auth: AuthConfig;
  /** The dashboard, /metrics, samples to a collector, slow requests (src/telemetry/). */
  readonly telemetry: TelemetryConfig;

  /** `--server-root`, absolute; created if missing. */
  readonly serverRoot: string;
  /** Private directory (0700) holding the front end's daemon socket; under
   *  `--socket-prefix` when given. */
  readonly socketDirectory: string;
  /** `--pid-file`, absolute (default `<server-root>/httpd.pid`): written once the server
   *  listens, removed when it exits. */
  readonly pidFile: string;
  readonly control: ControlConfig;
  /** `--service-script` processes, in command-line order. */
  readonly services: readonly ServiceConfig[];
  /** `--setenv KEY VALUE` pairs and `--passenv` values resolved from the environment,
   *  added to every request's environ (Apache SetEnv/PassEnv), in order. */
  readonly requestEnviron: readonly (readonly [string, string])[];
  /** Options that mean nothing without Apache and were accepted but ignored. */
  readonly ignoredOptions: readonly string[];
  /** The debug features (mod_wsgi-express §5). */
  readonly debug: DebugConfig;
}

export interface DebugConfig {
  /** --debug-mode, or any --enable-* debug feature: one process with one thread,
   *  attached to the terminal, no timeouts or recycling. */
  readonly debugMode: boolean;
  /** --enable-debugger: post-mortem pdb on an exception escaping the application. */
  readonly debugger: boolean;
  /** --debugger-startup (with --enable-debugger): pdb once the application is loaded. */
  readonly debuggerStartup: boolean;
  /** Absolute output directories; null when the feature is off. */
  readonly coverageDirectory: string | null;
  readonly profilerDirectory: string | null;
  readonly recorderDirectory: string | null;
  /** --gdb-executable when --enable-gdb is given, else null. */
  readonly gdbExecutable: string | null;
}

export interface ApplicationConfig {
  /** `static`: no application, only the document root (SiteConfig.staticOnly). */
  readonly type: "script" | "module" | "paste" | "static";
  /** Absolute script (or Paste Deploy .ini) path, or a module name for `module`. Null:
   *  the built-in default page, or no application at all with `static`. */
  readonly entryPoint: string | null;
  readonly callableObject: string;
  /** `--working-directory`, absolute: the daemons' cwd and first sys.path entry. */
  readonly workingDirectory: string;
  /** `--python-path`, absolute directories added with site.addsitedir, in order. */
  readonly pythonPaths: readonly string[];
  /** `--mount-point`, normalised: starts with `/`, no trailing `/` unless it is `/`. */
  readonly mountPoint: string;
  /** `--process-group`, default `<host>:<port>` as mod_wsgi-express names it. */
  readonly processGroup: string;
  /** `--application-group`; `""` is the main interpreter (%{GLOBAL}). */
  readonly applicationGroup: string;
}

export interface ListenConfig {
  /** `--host`; null binds every interface (and `localhost` names the server). */
  readonly host: string | null;
  /** `--port`; 0 asks the OS for a free port. */
  readonly port: number;
  /** `--server-name`, else the host, else `localhost` (MOD_WSGI_SERVER_NAME). */
  readonly serverName: string;
  readonly serverAliases: readonly string[];
  /** `--server-backlog`. */
  readonly backlog: number;
}

export interface SiteConfig {
  /** `--server-name` as given; null: every Host header is served (no virtual hosts). */
  readonly virtualHost: string | null;
  /** `--allow-localhost`: loopback clients pass the host check whatever their Host. */
  readonly allowLocalhost: boolean;
  /** `--document-root`, absolute; default `<server-root>/htdocs`. */
  readonly documentRoot: string;
  /** True when the document root is the default one, which start-up creates. */
  readonly defaultDocumentRoot: boolean;
  readonly directoryIndex: string | null;
  readonly directoryListing: boolean;
  /** `--url-alias` pairs, URL paths without a trailing `/`, longest first. */
  readonly urlAliases: readonly UrlAlias[];
  /** `--error-document`: status -> a local URL path or an absolute http(s) URL. */
  readonly errorDocuments: readonly (readonly [number, string])[];
  readonly errorOverride: boolean;
  readonly compressResponses: boolean;
  /** `--map-head-to-get` resolved: Auto is On exactly when compression is on. */
  readonly mapHeadToGet: boolean;
  /** `--mime-types`, absolute; null: the built-in types of the `send` package. */
  readonly mimeTypes: string | null;
  /** Static-only, the docs, --add-handler and --with-cgi (resolve-site-features.ts). */
  readonly features: SiteFeatures;
}

export interface UrlAlias {
  readonly urlPath: string;
  readonly target: string;
}

export interface DaemonConfig {
  /** The interpreter the daemons run: `--python-executable`, else an active
   *  VIRTUAL_ENV's python, else python3 from PATH; probed once at start-up. */
  readonly python: PythonInfo;
  readonly processes: number;
  /** --embedded-mode: the app runs in the front end's own worker processes, not in
   *  daemons (docs/embedded-mode.md); mod_wsgi.process_group is then ''. */
  readonly embedded: boolean;
  /** True when `--processes` was given at all (mod_wsgi's wsgi.multiprocess rule). */
  readonly multiprocess: boolean;
  readonly threads: number;
  readonly maximumRequests: number;
  readonly startupTimeout: number;
  readonly shutdownTimeout: number;
  readonly queueTimeout: number;
  /** `--daemon-backlog`: the most requests that wait for a thread; more get 503 at once. */
  readonly backlog: number;
  readonly socketTimeout: number;
  readonly connectTimeout: number;
  readonly requestTimeout: number;
  readonly interruptTimeout: number;
  readonly gracefulTimeout: number;
  /** Drain window for SIGUSR1; 0 means gracefulTimeout. */
  readonly evictionTimeout: number;
  readonly deadlockTimeout: number;
  readonly inactivityTimeout: number;
  /** `--ignore-activity` URL path prefixes. */
  readonly ignoreActivity: readonly string[];
  readonly restartInterval: number;
  readonly cpuTimeLimit: number;
  /** RSS bytes past which a process is recycled; 0: none. */
  readonly memoryLimit: number;
  /** RLIMIT_AS bytes; 0: none. */
  readonly virtualMemoryLimit: number;
  /** Restart gracefully when the WSGI script file changes (not --disable-reloading). */
  readonly scriptReloading: boolean;
  readonly reloadOnChanges: boolean;
  /** SO_SNDBUF of each daemon thread's connection; 0: the system default. */
  readonly sendBufferSize: number;
  /** SO_RCVBUF of each daemon thread's connection; 0: the system default. */
  readonly receiveBufferSize: number;
  /** `--enable-sendfile`: wsgi.file_wrapper files go to the front end with sendfile(2)
   *  rather than being read into Python and written back out. */
  readonly enableSendfile: boolean;
  /** `--server-metrics` (or `--server-status`): mod_wsgi.server_metrics() answers in the
   *  daemons and service scripts instead of returning None. */
  readonly serverMetrics: boolean;
  /** Extra variables for the daemons' process environment (MOD_WSGI_* markers). */
  readonly environment: Readonly<Record<string, string>>;
  /** `--user` / `--group`, only when started as root (mod_wsgi ignores them otherwise). */
  readonly identity: Identity;
  /** `--python-warnings`, each passed to Python as `-W SPEC`. */
  readonly pythonWarnings: readonly string[];
  /** `--python-eggs`, absolute: PYTHON_EGG_CACHE of the daemons and services. */
  readonly pythonEggs: string;
  /** --switch-interval, --orphan-interpreter, --free-threading. */
  readonly interpreter: InterpreterConfig;
}

export interface InterpreterConfig {
  /** `--switch-interval`: sys.setswitchinterval() in each daemon; null: Python's own. */
  readonly switchInterval: number | null;
  /** `--orphan-interpreter`: a daemon ends with os._exit() once mod_wsgi's shutdown
   *  work is done, skipping atexit and interpreter finalisation
   *  (WSGIDestroyInterpreter Off). */
  readonly orphanInterpreter: boolean;
  /** `--free-threading`: the daemons run with the GIL disabled (-X gil=0). Only ever
   *  true on a free-threaded build. */
  readonly freeThreading: boolean;
}

/** Who a Python process runs as; null fields keep the front end's own. */
export interface Identity {
  readonly user: string | null;
  readonly group: string | null;
}

/** The server root's control script and the server process itself. */
export interface ControlConfig {
  /** `--process-name`: the front end's process title. */
  readonly processName: string | null;
  /** `<server-root>/envvars`, sourced by /bin/sh before the Python processes start. */
  readonly envvarsFile: string;
  /** `--envvars-script`, absolute: envvars is rewritten to source it. */
  readonly envvarsScript: string | null;
  /** `<server-root>/apachectl`, the control script. */
  readonly controlScript: string;
}

export interface ServiceConfig {
  /** The NAME of `--service-script NAME PATH`. */
  readonly name: string;
  /** Absolute path of the script. */
  readonly script: string;
  /** `--service-log-file NAME FILE` in the log directory; null: the main error log. */
  readonly logFile: string | null;
  /** `--service-user` / `--service-group`, else `--user` / `--group`; root only. */
  readonly identity: Identity;
}

export interface PythonInfo {
  /** Absolute path as given or found (a venv's bin/python is kept, not resolved through
   *  its symlink, so that the venv's sys.prefix applies). */
  readonly executable: string;
  /** `sys.version` first word, e.g. `3.11.7`. */
  readonly version: string;
  /** `sys.prefix`: the virtual environment's directory when it is one. */
  readonly prefix: string;
  /** `sys.version_info[:2]`, e.g. `[3, 12]`. */
  readonly release: readonly [number, number];
  /** A free-threaded (PEP 703) build: sysconfig's Py_GIL_DISABLED is set. */
  readonly freeThreaded: boolean;
}

export interface LoggingConfig {
  readonly logDirectory: string;
  readonly logToTerminal: boolean;
  readonly logLevel: LogLevel;
  readonly accessLog: boolean;
  /** `common`, `combined`, or a custom Apache LogFormat string. */
  readonly accessLogFormat: string;
  readonly errorLogName: string;
  readonly accessLogName: string;
  /** `--startup-log`: the path of the startup log, else null. */
  readonly startupLog: string | null;
  /** `--rotate-logs`: rotate files past this many bytes (`--max-log-size` MB); null: off. */
  readonly rotateBytes: number | null;
  /** `--error-log-format`, parsed (config/error-log-format.ts); null: the default shape. */
  readonly errorLogFormat: readonly ErrorLogItem[] | null;
}
