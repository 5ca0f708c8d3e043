/**
 * The command line -> typed option values, by destination name. Every word is first
 * expanded ($VAR, ${VAR}); then the sub-command is checked, optparse's word rules
 * applied (normalize-argv.ts) and the commander program built from the table parses.
 * Errors are thrown as WsgiExpressError; `--help` output is written and reported as
 * an exit status.
 */
import { CommanderError } from "commander";
import { WsgiExpressError, quote, type ErrorCode } from "../errors.js";
import { expandAll } from "./expand.js";
import { normalizeArgv } from "./normalize-argv.js";
import {
  SERVER_COMMANDS,
  buildProgram,
  type Invocation,
  type ProgramStreams,
  type ServerCommand,
} from "./program.js";
import type { OptionValue } from "./spec.js";

export interface ParsedArgs {
  readonly command: ServerCommand;
  /** The positional SCRIPT, if given (`--entry-point` is among the values). */
  readonly script: string | null;
  /** Values given on the command line, by destination name; absent when not given. */
  readonly values: ReadonlyMap<string, OptionValue>;
  /** Options given, by the name typed (after abbreviation), in order, once each. */
  readonly given: readonly string[];
}

export type ParseOutcome =
  | { readonly kind: "run"; readonly args: ParsedArgs }
  /** Help was asked for and written; nothing to run. */
  | { readonly kind: "exit"; readonly exitCode: number };

export interface ParseIo extends ProgramStreams {
  readonly env: Readonly<Record<string, string | undefined>>;
}

export function parseCommandLine(argv: readonly string[], io: ParseIo): ParseOutcome {
  const words = expandAll(argv, io.env);
  const command = checkCommand(words[0]);
  if (command === "help" && words[1] !== undefined) checkCommand(words[1]);
  const normalized = isServerCommand(command)
    ? normalizeArgv(words.slice(1))
    : { words: words.slice(1), given: [] };
  let invocation: Invocation | undefined;
  const program = buildProgram(io, (found) => (invocation = found));
  try {
    program.parse([command, ...normalized.words], { from: "user" });
  } catch (error) {
    return { kind: "exit", exitCode: fromCommander(error) };
  }
  if (invocation === undefined) return { kind: "exit", exitCode: 0 };
  return { kind: "run", args: toParsedArgs(invocation, normalized.given) };
}

function isServerCommand(word: string): word is ServerCommand {
  return (SERVER_COMMANDS as readonly string[]).includes(word);
}

/** Words that may stand where the command goes. */
const HELP_WORDS = ["help", "-h", "--help", "--version"];

function checkCommand(word: string | undefined): string {
  if (word !== undefined && (isServerCommand(word) || HELP_WORDS.includes(word))) return word;
  const expected = `a command (${SERVER_COMMANDS.join(" or ")}; see wsgi-express --help)`;
  if (word === undefined || word.startsWith("-")) {
    const got = word === undefined ? "nothing" : `the option ${quote(word)}`;
    throw new WsgiExpressError(
      "WSGIX_ERR_NO_COMMAND",
      `No command was specified: expected ${expected}, got ${got}`,
    );
  }
  throw new WsgiExpressError(
    "WSGIX_ERR_UNKNOWN_COMMAND",
    `Invalid command was specified: expected ${expected}, got ${quote(word)}`,
  );
}

const COMMANDER_CODES: Readonly<Record<string, ErrorCode>> = {
  "commander.unknownOption": "WSGIX_ERR_UNKNOWN_OPTION",
  "commander.unknownCommand": "WSGIX_ERR_UNKNOWN_COMMAND",
  "commander.excessArguments": "WSGIX_ERR_UNEXPECTED_ARGUMENT",
  "commander.missingArgument": "WSGIX_ERR_MISSING_ARGUMENT",
  "commander.optionMissingArgument": "WSGIX_ERR_MISSING_ARGUMENT",
};

/** The exit status after help was shown; any other commander error is rethrown as ours. */
function fromCommander(error: unknown): number {
  if (!(error instanceof CommanderError)) throw error;
  if (
    error.code === "commander.helpDisplayed" ||
    error.code === "commander.help" ||
    error.code === "commander.version"
  ) {
    // Help asked for is a success. (Commander's `help COMMAND` takes its status from
    // process.exitCode, which an in-process caller such as a test runner may have set;
    // a missing command never gets this far: checkCommand refuses it first.)
    return 0;
  }
  const code = COMMANDER_CODES[error.code] ?? "WSGIX_ERR_OPTION_VALUE";
  const message = error.message.replace(/^error: /, "").replaceAll("\n", " ");
  throw new WsgiExpressError(code, message, { cause: error });
}

function toParsedArgs(invocation: Invocation, given: readonly string[]): ParsedArgs {
  const values = new Map<string, OptionValue>();
  for (const [name, value] of Object.entries(invocation.values)) {
    if (value !== undefined) values.set(name, value as OptionValue);
  }
  return { command: invocation.command, script: invocation.script ?? null, values, given };
}
