/**
 * The commander program, built from the option table: `start-server [SCRIPT]` and
 * `setup-server [SCRIPT]` share every option. exitOverride() makes commander throw
 * instead of exiting (only the CLI entry point ends the process), and its output goes
 * to injected streams so that tests can drive it in-process.
 */
import { Command, Option, type OutputConfiguration } from "commander";
import { OPTION_GROUPS, type OptionGroup } from "./groups.js";
import { HELP_CONFIGURATION, helpLine, type SpecCarrier } from "./help.js";
import { destination, type OptionSpec } from "./spec.js";
import { OPTIONS } from "./table.js";
import { parseValue } from "./values.js";
import { packageVersion } from "./version.js";

export const SERVER_COMMANDS = ["start-server", "setup-server"] as const;
export type ServerCommand = (typeof SERVER_COMMANDS)[number];

export interface ProgramStreams {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  /** The name usage lines show: `mod_wsgi-express` when invoked by that name. */
  readonly programName?: string;
}

export const DEFAULT_PROGRAM_NAME = "wsgi-express";

/** What one server sub-command was given, before the values are typed by name. */
export interface Invocation {
  readonly command: ServerCommand;
  readonly script: string | undefined;
  /** By destination name (an alias stores under the option it stands for). */
  readonly values: Readonly<Record<string, unknown>>;
}

const DESCRIPTIONS: Record<ServerCommand, string> = {
  "start-server": "Set up the server root and serve the WSGI application.",
  "setup-server": "Set up the server root only; nothing is started.",
};

/** An option row as a commander Option; values are typed and checked by the table. */
export class TableOption extends Option implements SpecCarrier {
  readonly spec: OptionSpec;

  constructor(spec: OptionSpec) {
    const placeholders = spec.metavar.map((name) => ` <${name}>`).join("");
    super(`--${spec.name}${placeholders}`, helpLine(spec));
    this.spec = spec;
    this.helpGroup(`${OPTION_GROUPS[spec.group]}:`);
    this.argParser((raw: string, previous: unknown) => parseValue(spec, raw, previous));
    if (spec.hidden === true) this.hideHelp();
  }

  override attributeName(): string {
    return destination(this.spec);
  }
}

export function buildProgram(
  streams: ProgramStreams,
  onInvocation: (invocation: Invocation) => void,
): Command {
  const name = streams.programName ?? DEFAULT_PROGRAM_NAME;
  const program = configure(new Command(name), streams)
    .usage("<command> [SCRIPT] [options]")
    .description("Serve a Python WSGI application; compatible with mod_wsgi-express.");
  for (const name of SERVER_COMMANDS) {
    program.addCommand(buildServerCommand(name, streams, onInvocation));
  }
  // replay is dispatched before this parser runs (src/cli/main.ts); list it all the same.
  program.addHelpText(
    "after",
    "\nAlso:\n  replay DIRECTORY URL            Re-send the requests --enable-recorder saved\n" +
      "                                  in DIRECTORY to URL and report the responses\n" +
      "                                  that differ (replay --help).\n" +
      "  build-embedded                  Build the --embedded-mode addon into the cache now\n" +
      "                                  (otherwise its first use builds it).",
  );
  return program;
}

function buildServerCommand(
  name: ServerCommand,
  streams: ProgramStreams,
  onInvocation: (invocation: Invocation) => void,
): Command {
  const command = configure(new Command(name), streams)
    .usage("[SCRIPT] [options]")
    .description(DESCRIPTIONS[name])
    .argument("[SCRIPT]", "WSGI script file, or module name with --application-type module.")
    .action((script: string | undefined, _options: unknown, self: Command) => {
      onInvocation({ command: name, script, values: self.opts() });
    });
  for (const spec of byGroup(OPTIONS)) command.addOption(new TableOption(spec));
  return command;
}

/** The rows in the order of their groups' headings, each group in table order: commander
 *  lists groups in the order their first option was added. */
function byGroup(options: readonly OptionSpec[]): OptionSpec[] {
  const order = Object.keys(OPTION_GROUPS) as OptionGroup[];
  return [...options].sort((a, b) => order.indexOf(a.group) - order.indexOf(b.group));
}

function configure(command: Command, streams: ProgramStreams): Command {
  return command
    .exitOverride()
    .configureOutput(output(streams))
    .configureHelp(HELP_CONFIGURATION)
    .version(packageVersion(), "--version", "Print the version of wsgi-express and exit.")
    .helpOption("-h, --help", "Show this help and exit.");
}

function output(streams: ProgramStreams): OutputConfiguration {
  return {
    writeOut: (text) => streams.stdout.write(text),
    writeErr: (text) => streams.stderr.write(text),
    // The CLI reports every error itself, as one line in its own format.
    outputError: () => undefined,
    getOutHelpWidth: () => columns(streams.stdout),
    getErrHelpWidth: () => columns(streams.stderr),
  };
}

function columns(stream: NodeJS.WritableStream): number {
  const width = (stream as { columns?: unknown }).columns;
  return typeof width === "number" && width > 0 ? width : 80;
}
