/**
 * Typed access to parsed option values, falling back to the table's defaults, so that
 * each resolver reads `options.integer("port")` and nothing else knows the table.
 */
import { WsgiExpressError } from "../errors.js";
import type { ParsedArgs } from "../options/parse.js";
import { destination, type OptionValue, type Pair } from "../options/spec.js";
import { findOption } from "../options/table.js";

export class OptionReader {
  readonly #args: ParsedArgs;

  constructor(args: ParsedArgs) {
    this.#args = args;
  }

  /** The positional SCRIPT argument, if given. */
  get script(): string | null {
    return this.#args.script;
  }

  /** Whether the option (or an alias of it) was on the command line. */
  given(name: string): boolean {
    return this.#args.values.has(name);
  }

  flag(name: string): boolean {
    return this.#value(name) === true;
  }

  /** An `integer` or `number` option's value. */
  number(name: string): number {
    const value = this.#value(name);
    if (typeof value !== "number") throw unexpected(name, "number");
    return value;
  }

  string(name: string): string {
    const value = this.#value(name);
    if (typeof value !== "string") throw unexpected(name, "string");
    return value;
  }

  /** The value, or null when neither given nor defaulted. */
  optionalString(name: string): string | null {
    return this.#value(name) === undefined ? null : this.string(name);
  }

  optionalNumber(name: string): number | null {
    return this.#value(name) === undefined ? null : this.number(name);
  }

  list(name: string): readonly string[] {
    return (this.#value(name) as readonly string[] | undefined) ?? [];
  }

  pairs(name: string): readonly Pair[] {
    return (this.#value(name) as readonly Pair[] | undefined) ?? [];
  }

  #value(name: string): OptionValue | undefined {
    const spec = findOption(name);
    if (spec === undefined || destination(spec) !== name) {
      throw new WsgiExpressError("WSGIX_ERR_INTERNAL", `no option --${name} in the table`);
    }
    return this.#args.values.get(name) ?? spec.default;
  }
}

function unexpected(name: string, type: string): WsgiExpressError {
  return new WsgiExpressError("WSGIX_ERR_INTERNAL", `--${name} has no ${type} value`);
}
