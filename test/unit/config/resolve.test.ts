import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import type { ResolveContext } from "../../../src/config/context.js";
import { resolveConfig } from "../../../src/config/resolve.js";
import type { ServerConfig } from "../../../src/config/server-config.js";
import { CWD, SCRIPT, SYSTEM_PYTHON, fakeContext, parseArgs } from "./fakes.js";

function resolveWith(argv: string[], context: ResolveContext = fakeContext()) {
  return resolveConfig(parseArgs(["start-server", ...argv], context.env), context);
}

test("defaults are mod_wsgi-express's", async () => {
  const config = await resolveWith(["app.wsgi"]);
  assert.equal(config.command, "start-server");
  assert.equal(config.setupOnly, false);
  assert.deepEqual(config.listen, {
    host: null,
    port: 8000,
    serverName: "localhost",
    serverAliases: [],
    backlog: 500,
  });
  assert.deepEqual(config.application, {
    type: "script",
    entryPoint: SCRIPT,
    callableObject: "application",
    workingDirectory: CWD,
    pythonPaths: [],
    mountPoint: "/",
    processGroup: "localhost:8000",
    applicationGroup: "",
  });
  assert.deepEqual(
    { ...config.daemons, python: null, environment: null },
    {
      python: null,
      environment: null,
      processes: 1,
      embedded: false,
      multiprocess: false,
      threads: 5,
      maximumRequests: 0,
      startupTimeout: 15,
      shutdownTimeout: 5,
      queueTimeout: 45,
      backlog: 100,
      socketTimeout: 60,
      connectTimeout: 15,
      requestTimeout: 60,
      identity: { user: null, group: null },
      pythonWarnings: [],
      pythonEggs: "/tmp/mod_wsgi-localhost:8000:1000/python-eggs",
      interruptTimeout: 0,
      gracefulTimeout: 15,
      evictionTimeout: 0,
      deadlockTimeout: 60,
      inactivityTimeout: 0,
      ignoreActivity: [],
      restartInterval: 0,
      cpuTimeLimit: 0,
      memoryLimit: 0,
      virtualMemoryLimit: 0,
      scriptReloading: true,
      reloadOnChanges: false,
      enableSendfile: false,
      serverMetrics: false,
      sendBufferSize: 0,
      receiveBufferSize: 0,
      interpreter: { switchInterval: null, orphanInterpreter: false, freeThreading: false },
    },
  );
  assert.deepEqual(config.http, {
    http2: false,
    keepAliveTimeout: 2,
    limitRequestBody: 10485760,
    chunkedRequest: false,
    limitRequestLine: 8190,
    limitRequestFields: 100,
    limitRequestFieldSize: 8190,
    traceEnable: false,
    headerBufferSize: 32768,
    bodySpoolSize: 268435456,
    bodySpoolDirectory: "/tmp/mod_wsgi-localhost:8000:1000/request-bodies",
    responseSpoolSize: 268435456,
    responseSpoolDirectory: "/tmp/mod_wsgi-localhost:8000:1000/response-bodies",
  });
  assert.deepEqual(config.logging, {
    logDirectory: "/tmp/mod_wsgi-localhost:8000:1000",
    logToTerminal: false,
    logLevel: "warn",
    accessLog: false,
    accessLogFormat: "common",
    errorLogName: "error_log",
    accessLogName: "access_log",
    startupLog: null,
    rotateBytes: null,
    errorLogFormat: null,
  });
  assert.equal(config.serverRoot, "/tmp/mod_wsgi-localhost:8000:1000");
  assert.equal(config.socketDirectory, "/tmp/mod_wsgi-localhost:8000:1000/sockets");
  assert.deepEqual(config.requestEnviron, []);
  assert.deepEqual(config.ignoredOptions, []);
});

test("no script means the built-in page", async () => {
  assert.equal((await resolveWith([])).application.entryPoint, null);
});

test("the configuration is deeply frozen", async () => {
  const config = await resolveWith(["app.wsgi", "--setenv", "A", "1"]);
  assert.ok(Object.isFrozen(config));
  assert.throws(() => {
    (config as { serverRoot: string }).serverRoot = "/elsewhere";
  }, TypeError);
  assert.throws(() => {
    (config.listen as { port: number }).port = 1;
  }, TypeError);
  assert.throws(() => {
    (config.daemons.environment as Record<string, string>)["X"] = "1";
  }, TypeError);
  assert.throws(() => {
    (config.requestEnviron as unknown as unknown[]).push(["B", "2"]);
  }, TypeError);
  assert.ok(Object.isFrozen(config.requestEnviron[0]));
});

test("--processes, even 1, makes the daemons multiprocess", async () => {
  const one = await resolveWith(["--processes", "1"]);
  assert.equal(one.daemons.processes, 1);
  assert.equal(one.daemons.multiprocess, true);
  const three = await resolveWith(["--processes", "3", "--threads", "2"]);
  assert.deepEqual([three.daemons.processes, three.daemons.threads], [3, 2]);
});

test("the server is named by --server-name, else --host, else localhost", async () => {
  const byHost = await resolveWith(["--host", "127.0.0.1", "--port", "9000"]);
  assert.equal(byHost.listen.serverName, "127.0.0.1");
  assert.equal(byHost.application.processGroup, "127.0.0.1:9000");
  const byName = await resolveWith(["--host", "0.0.0.0", "--server-name", "example.com"]);
  assert.equal(byName.listen.serverName, "example.com");
  assert.equal(byName.application.processGroup, "0.0.0.0:8000");
  const named = await resolveWith([
    "--process-group",
    "mine",
    "--server-alias",
    "a",
    "--server-alias",
    "b",
  ]);
  assert.equal(named.application.processGroup, "mine");
  assert.deepEqual(named.listen.serverAliases, ["a", "b"]);
});

test("the default server root follows TMPDIR, host, port and uid", async () => {
  const context = fakeContext({ env: { TMPDIR: "/var/tmp/", PATH: "/usr/bin" }, uid: 7 });
  const config = await resolveWith(["--host", "127.0.0.1", "--port", "8080"], context);
  assert.equal(config.serverRoot, "/var/tmp/mod_wsgi-127.0.0.1:8080:7");
  const empty = fakeContext({ env: { TMPDIR: "", PATH: "/usr/bin" } });
  assert.equal((await resolveWith([], empty)).serverRoot, "/tmp/mod_wsgi-localhost:8000:1000");
});

test("on port 0 the default server root is unique to the process", async () => {
  const config = await resolveWith(["--port", "0"], fakeContext({ pid: 31337 }));
  assert.equal(config.serverRoot, "/tmp/mod_wsgi-localhost:0:1000.31337");
  assert.equal(config.socketDirectory, "/tmp/mod_wsgi-localhost:0:1000.31337/sockets");
});

test("paths are made absolute against the cwd", async () => {
  const config = await resolveWith([
    "./app.wsgi",
    "--server-root",
    "root",
    "--log-directory",
    "../logs",
    "--working-directory",
    "lib",
    "--python-path",
    "../other",
    "--python-path",
    "/work/app/lib/",
  ]);
  assert.equal(config.application.entryPoint, SCRIPT);
  assert.equal(config.serverRoot, "/work/app/root");
  assert.equal(config.socketDirectory, "/work/app/root/sockets");
  assert.equal(config.logging.logDirectory, "/work/logs");
  assert.equal(config.application.workingDirectory, "/work/app/lib");
  assert.deepEqual(config.application.pythonPaths, ["/work/other", "/work/app/lib"]);
});

test("--entry-point wins over SCRIPT; a module is named, not looked up", async () => {
  const entry = await resolveWith(["missing.wsgi", "--entry-point", "app.wsgi"]);
  assert.equal(entry.application.entryPoint, SCRIPT);
  const module = await resolveWith(["--application-type", "module", "pkg.wsgi_app"]);
  assert.deepEqual(
    [module.application.type, module.application.entryPoint],
    ["module", "pkg.wsgi_app"],
  );
});

test("the mount point is normalised", async () => {
  for (const [given, expected] of [
    ["/", "/"],
    ["/app/", "/app"],
    ["//app//v1/", "/app/v1"],
  ] as const) {
    assert.equal((await resolveWith(["--mount-point", given])).application.mountPoint, expected);
  }
});

test("logging options", async () => {
  const config = await resolveWith([
    "--log-to-terminal",
    "--access-log",
    "--access-log-format",
    "combined",
    "--log-level",
    "debug",
    "--error-log-name",
    "errors.txt",
    "--access-log-name",
    "hits.txt",
  ]);
  assert.equal(config.logging.logToTerminal, true);
  assert.equal(config.logging.accessLog, true);
  assert.equal(config.logging.accessLogFormat, "combined");
  assert.equal(config.logging.logLevel, "debug");
  assert.equal(config.logging.errorLogName, "errors.txt");
  assert.equal(config.logging.accessLogName, "hits.txt");
});

test("--log-directory cancels --log-to-terminal, as in mod_wsgi-express", async () => {
  const config = await resolveWith(["--log-to-terminal", "--log-directory", "/work/logs"]);
  assert.equal(config.logging.logToTerminal, false);
  assert.equal(config.logging.logDirectory, "/work/logs");
});

test("response buffering: 8 MiB per client and 64 MiB in all by default", async () => {
  const defaults = (await resolveWith(["--setup-only"])).clients;
  assert.equal(defaults.responseBufferSize, 8 * 1024 * 1024);
  assert.equal(defaults.responseMemorySize, 64 * 1024 * 1024);
  const given = (
    await resolveWith(["--response-buffer-size=65536", "--response-memory-size=0", "--setup-only"])
  ).clients;
  assert.equal(given.responseBufferSize, 65536);
  assert.equal(given.responseMemorySize, 0);
});

test("HTTP and daemon numbers are carried through", async () => {
  const config: ServerConfig = await resolveWith([
    "--keep-alive-timeout=0",
    "--limit-request-body=0",
    "--chunked-request",
    "--header-buffer-size=65536",
    "--body-spool-size=0",
    "--response-spool-size=1048576",
    "--queue-timeout=0.5",
    "--socket-timeout=1",
    "--connect-timeout=2",
    "--startup-timeout=3",
    "--shutdown-timeout=4",
    "--request-timeout=5.5",
    "--maximum-requests=100",
    "--server-backlog=10",
    "--send-buffer-size=1048576",
    "--receive-buffer-size=512",
    "--setup-only",
  ]);
  assert.deepEqual(config.http, {
    http2: false,
    keepAliveTimeout: 0,
    limitRequestBody: 0,
    chunkedRequest: true,
    limitRequestLine: 8190,
    limitRequestFields: 100,
    limitRequestFieldSize: 8190,
    traceEnable: false,
    headerBufferSize: 65536,
    bodySpoolSize: 0,
    bodySpoolDirectory: join(config.serverRoot, "request-bodies"),
    responseSpoolSize: 1048576,
    responseSpoolDirectory: join(config.serverRoot, "response-bodies"),
  });
  const { daemons } = config;
  assert.deepEqual(
    [daemons.queueTimeout, daemons.socketTimeout, daemons.connectTimeout, daemons.startupTimeout],
    [0.5, 1, 2, 3],
  );
  assert.deepEqual(
    [daemons.shutdownTimeout, daemons.requestTimeout, daemons.maximumRequests],
    [4, 5.5, 100],
  );
  assert.deepEqual([daemons.sendBufferSize, daemons.receiveBufferSize], [1048576, 512]);
  assert.equal(config.listen.backlog, 10);
  assert.equal(config.setupOnly, true);
});

test("setup-server never serves", async () => {
  const context = fakeContext();
  const config = await resolveConfig(parseArgs(["setup-server"]), context);
  assert.equal(config.command, "setup-server");
  assert.equal(config.setupOnly, true);
});

test("Apache-only options are listed in command-line order", async () => {
  const config = await resolveWith([
    "--server-mpm",
    "event",
    "--include-file",
    "x.conf",
    "--enable-docs",
    "--port",
    "9000",
  ]);
  assert.deepEqual(config.ignoredOptions, ["--server-mpm", "--include-file"]);
});

test("--enable-sendfile reaches the daemons' settings", async () => {
  assert.equal((await resolveWith([])).daemons.enableSendfile, false);
  const config = await resolveWith(["--enable-sendfile"]);
  assert.equal(config.daemons.enableSendfile, true);
});

test("--server-metrics, or --server-status, reaches the daemons' settings", async () => {
  assert.equal((await resolveWith([])).daemons.serverMetrics, false);
  const config = await resolveWith(["--server-metrics"]);
  assert.equal(config.daemons.serverMetrics, true);
  assert.equal((await resolveWith(["--server-status"])).daemons.serverMetrics, true);
});

test("the interpreter comes from PATH by default", async () => {
  const config = await resolveWith([]);
  assert.equal(config.daemons.python.executable, SYSTEM_PYTHON);
  assert.equal(config.daemons.python.version, "3.11.7");
  assert.equal(config.daemons.python.prefix, "/usr");
});
