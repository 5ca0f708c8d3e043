/**
 * Turns one option's command-line word(s) into its typed value, checking the form the
 * table gives it. Errors name the option, the expected form and the value received.
 */
import { optionError } from "../errors.js";
import type { NumberRange, OptionSpec, OptionValue, Pair } from "./spec.js";

/**
 * Joins the two words of a pair option into the single value commander carries. NUL
 * cannot occur inside a command-line argument, so the join is unambiguous.
 */
export function joinPair(first: string, second: string): string {
  return `${first}\u0000${second}`;
}

function splitPair(raw: string): Pair {
  const at = raw.indexOf("\u0000");
  return at < 0 ? [raw, ""] : [raw.slice(0, at), raw.slice(at + 1)];
}

/** The value after this use of the option, given the value after the previous uses. */
export function parseValue(spec: OptionSpec, raw: string, previous: unknown): OptionValue {
  switch (spec.kind) {
    case "flag":
      return true;
    case "string":
      return raw;
    case "path":
      return parsePath(spec, raw);
    case "integer":
      return parseNumber(spec, raw, INTEGER, "a whole number");
    case "number":
      return parseNumber(spec, raw, DECIMAL, "a number");
    case "choice":
      return parseChoice(spec, raw);
    case "repeatable":
      return [...(asArray(previous) as readonly string[]), raw];
    case "pair":
      return splitPair(raw);
    case "repeatable-pair":
      return [...(asArray(previous) as readonly Pair[]), splitPair(raw)];
  }
}

const INTEGER = /^[+-]?\d+$/;
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function parsePath(spec: OptionSpec, raw: string): string {
  if (raw === "") throw optionError("WSGIX_ERR_OPTION_VALUE", `--${spec.name}`, "a path", raw);
  return raw;
}

function parseNumber(spec: OptionSpec, raw: string, form: RegExp, noun: string): number {
  const value = Number(raw.trim());
  const range = spec.range ?? { min: 0 };
  if (!form.test(raw.trim()) || !inRange(value, range)) {
    throw optionError("WSGIX_ERR_OPTION_VALUE", `--${spec.name}`, describe(noun, range), raw);
  }
  return value;
}

function inRange(value: number, range: NumberRange): boolean {
  return Number.isFinite(value) && value >= range.min && value <= (range.max ?? Infinity);
}

/** e.g. "a whole number from 0 to 65535", "a number of 0 or more". */
export function describe(noun: string, range: NumberRange): string {
  if (range.max !== undefined) return `${noun} from ${range.min} to ${range.max}`;
  return `${noun} of ${range.min} or more`;
}

function parseChoice(spec: OptionSpec, raw: string): string {
  const choices = spec.choices ?? [];
  const found = choices.find((choice) => choice.toLowerCase() === raw.toLowerCase());
  if (found === undefined) {
    throw optionError("WSGIX_ERR_OPTION_VALUE", `--${spec.name}`, oneOf(choices), raw);
  }
  return found;
}

/** e.g. "one of script, module or paste". */
export function oneOf(choices: readonly string[]): string {
  const last = choices.at(-1) ?? "";
  return choices.length < 2 ? last : `one of ${choices.slice(0, -1).join(", ")} or ${last}`;
}

/** The values of the earlier uses of a repeatable option (none before the first). */
function asArray(previous: unknown): readonly unknown[] {
  return Array.isArray(previous) ? previous : [];
}
