/**
 * The CLI: parse -> resolve -> warn -> serve. Returns the exit status and never calls
 * process.exit (bin/wsgi-express.js sets process.exitCode from it), so tests drive it
 * in-process with their own streams, environment and dependencies.
 */
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import type { FileChecks, PythonProbe } from "../config/context.js";
import { nodeFileChecks } from "../config/file-checks.js";
import { machineLimits, type MachineLimits } from "../config/capacity.js";
import { probePython } from "../config/python-probe.js";
import { resolveConfig } from "../config/resolve.js";
import { checkTlsFiles } from "../config/check-tls-files.js";
import type { ServerConfig } from "../config/server-config.js";
import { expandAll } from "../options/expand.js";
import { parseCommandLine } from "../options/parse.js";
import { DEFAULT_PROGRAM_NAME } from "../options/program.js";
import { setupBanner } from "../setup/setup-banner.js";
import { writeServerRoot, type SetupInputs } from "../setup/write-server-root.js";
import type { CliIo } from "../cli-io.js";
import { makeDirectory, prepareDirectories, type MakeDirectory } from "./prepare-directories.js";
import type { MainIo } from "./main-io.js";
import { reportError, warn, warnAbout } from "./report.js";

/** The outside world beyond `io`; replaced in unit tests. */
export interface MainDeps {
  readonly files: FileChecks;
  readonly probePython: PythonProbe;
  readonly machineLimits: MachineLimits;
  readonly makeDirectory: MakeDirectory;
  /** Writes the control script, saved configuration and envvars into the server root. */
  readonly writeServerRoot: (config: ServerConfig, inputs: SetupInputs) => void;
  readonly uid: number;
  readonly pid: number;
  readonly runServer: (config: ServerConfig, io: CliIo) => Promise<number>;
}

export function defaultIo(): MainIo {
  for (const stream of [process.stdout, process.stderr]) endQuietlyOnClosedPipe(stream);
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    programName: invokedAs(process.argv[1]),
  };
}

/** `mod_wsgi-express` when run by that name (package.json "bin" has both names), else
 *  `wsgi-express`, as `node bin/wsgi-express.js` is too. */
export function invokedAs(script: string | undefined): string {
  const name = basename(script ?? "").replace(/\.js$/, "");
  return name === "mod_wsgi-express" ? name : DEFAULT_PROGRAM_NAME;
}

const quietStreams = new WeakSet<NodeJS.WriteStream>();

/**
 * A reader that goes away (`wsgi-express --help | head -3`) ends our output on that
 * stream, not the program: node reports the closed pipe as an 'error' event, which would
 * otherwise be thrown with a stack trace. A server goes on serving.
 */
function endQuietlyOnClosedPipe(stream: NodeJS.WriteStream): void {
  if (quietStreams.has(stream)) return;
  quietStreams.add(stream);
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE") throw error;
  });
}

export function defaultDeps(): MainDeps {
  return {
    files: nodeFileChecks,
    probePython,
    machineLimits: machineLimits(),
    makeDirectory,
    writeServerRoot,
    // process.getuid does not exist on Windows.
    uid: process.getuid?.() ?? 0,
    pid: process.pid,
    runServer: async (config, io) =>
      config.daemons.embedded
        ? (await import("../embedded/primary.js")).runEmbedded(config, io)
        : (await import("../lifecycle/run-server.js")).runServer(config, io),
  };
}

/** The commands beside the option parser's, each loaded only when it runs: a server
 *  carries none of the others' modules (memory: the front end is a long-lived process). */
async function replayCommand(argv: readonly string[], io: MainIo): Promise<number> {
  return (await import("./replay-command.js")).replayCommand(argv, io);
}

async function buildEmbeddedCommand(argv: readonly string[], io: MainIo): Promise<number> {
  return (await import("../embedded/build-command.js")).buildEmbeddedCommand(argv, io);
}

const readText = (path: string): string => readFileSync(path, "utf8");

/**
 * Runs the CLI and returns its exit status: 0 after help, the server's status, 2 for
 * a usage error, 1 for an internal error. Errors are written as one line on stderr.
 */
export async function main(
  argv: readonly string[],
  io: MainIo = defaultIo(),
  deps: Partial<MainDeps> = {},
): Promise<number> {
  try {
    return await execute(argv, io, deps);
  } catch (error) {
    return reportError(error, io.stderr);
  }
}

/** `main` without the error report: failures are thrown (tests read their codes). */
export async function execute(
  argv: readonly string[],
  io: MainIo,
  deps: Partial<MainDeps> = {},
): Promise<number> {
  const use = { ...defaultDeps(), ...deps };
  if (argv[0] === "replay") return replayCommand(argv.slice(1), io);
  if (argv[0] === "build-embedded") return buildEmbeddedCommand(argv.slice(1), io);
  // Commander's `help COMMAND` knows only its own commands; replay is ours.
  if (argv[0] === "help" && argv[1] === "replay") return replayCommand(["--help"], io);
  const parsed = parseCommandLine(argv, io);
  if (parsed.kind === "exit") return parsed.exitCode;
  const config = await resolveConfig(parsed.args, { ...use, env: io.env, cwd: io.cwd });
  prepareDirectories(config, use.makeDirectory);
  warnAbout(io.stderr, "ignoring Apache-only options", config.ignoredOptions);
  // What only a start would have found: the certificate files' contents (configtest too).
  if (config.setupOnly || io.env["WSGI_EXPRESS_CONFIGTEST"] === "1") {
    for (const line of checkTlsFiles(config.tls, readText, new Date())) warn(io.stderr, line);
  }
  // The control script's configtest verb: the options resolve, nothing is written.
  if (io.env["WSGI_EXPRESS_CONFIGTEST"] === "1") {
    io.stdout.write("Syntax OK\n");
    return 0;
  }
  use.writeServerRoot(config, { args: expandAll(argv, io.env).slice(1), cwd: io.cwd });
  if (config.setupOnly) {
    io.stdout.write(setupBanner(config));
    return 0;
  }
  return use.runServer(config, io);
}
