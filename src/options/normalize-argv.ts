/**
 * A first pass over the words after the sub-command, with optparse's rules that
 * commander lacks: an unambiguous abbreviation of a long option is accepted, an option
 * of two values (`--setenv KEY VALUE`) takes the next two words, and `--opt=value` gives
 * the first value inline. The result is what commander then parses, one word per value.
 */
import { WsgiExpressError, quote } from "../errors.js";
import { arity, type OptionSpec } from "./spec.js";
import { LONG_NAMES, findOption } from "./table.js";
import { joinPair } from "./values.js";

export interface NormalizedArgv {
  readonly words: readonly string[];
  /** Names of the table options given, as typed (after abbreviation), in order, once each. */
  readonly given: readonly string[];
}

export function normalizeArgv(input: readonly string[]): NormalizedArgv {
  const words: string[] = [];
  const given = new Set<string>();
  const rest = [...input];
  for (let word = rest.shift(); word !== undefined; word = rest.shift()) {
    if (word === "--") {
      words.push(word, ...rest.splice(0));
    } else if (!word.startsWith("--")) {
      words.push(word);
    } else {
      const name = expandAbbreviation(word.slice(2).split("=", 1)[0] ?? "");
      const spec = name === undefined ? undefined : findOption(name);
      if (spec === undefined) {
        words.push(name === "help" ? "--help" : word);
      } else {
        given.add(spec.name);
        words.push(`--${spec.name}`, ...takeValues(spec, inlineValue(word), rest));
      }
    }
  }
  return { words, given: [...given] };
}

function inlineValue(word: string): string | undefined {
  const at = word.indexOf("=");
  return at < 0 ? undefined : word.slice(at + 1);
}

/** The full long name `typed` stands for; undefined when it matches none. */
function expandAbbreviation(typed: string): string | undefined {
  if (typed === "" || LONG_NAMES.includes(typed)) return typed;
  const matches = LONG_NAMES.filter((name) => name.startsWith(typed));
  if (matches.length > 1) {
    const list = matches.map((name) => `--${name}`).join(", ");
    throw new WsgiExpressError(
      "WSGIX_ERR_AMBIGUOUS_OPTION",
      `--${typed}: expected one option, got an abbreviation of several: ${list}`,
    );
  }
  return matches[0];
}

function takeValues(spec: OptionSpec, inline: string | undefined, rest: string[]): string[] {
  const count = arity(spec.kind);
  if (count === 0) {
    if (inline === undefined) return [];
    throw new WsgiExpressError(
      "WSGIX_ERR_UNEXPECTED_ARGUMENT",
      `--${spec.name}: expected no value, got ${quote(inline)}`,
    );
  }
  const values = inline === undefined ? [] : [inline];
  while (values.length < count) {
    const next = rest.shift();
    if (next === undefined) throw missing(spec, values.length);
    values.push(next);
  }
  const [first = "", second = ""] = values;
  return [count === 2 ? joinPair(first, second) : first];
}

function missing(spec: OptionSpec, received: number): WsgiExpressError {
  const wanted = spec.metavar.join(" ");
  const got = received === 0 ? "nothing" : `${received} of ${spec.metavar.length}`;
  return new WsgiExpressError(
    "WSGIX_ERR_MISSING_ARGUMENT",
    `--${spec.name}: expected ${wanted} after it, got ${got}`,
  );
}
