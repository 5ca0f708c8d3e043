/**
 * The shape of one row of the option table (src/options/table.ts). The table drives
 * parsing, `--help`, validation of value forms and the docs' option list.
 */

import type { OptionGroup } from "./groups.js";

/**
 * How an option takes its value(s):
 * - `flag`: no value; `true` when given.
 * - `string` / `path` / `integer` / `number` / `choice`: one value (`number` may be
 *   fractional, e.g. seconds); a `path` is made absolute later, against the cwd.
 * - `repeatable`: one value per use, collected in order.
 * - `pair`: two values (`--service-script NAME PATH`).
 * - `repeatable-pair`: two values per use, collected in order (`--setenv KEY VALUE`).
 */
export type OptionKind =
  | "flag"
  | "string"
  | "path"
  | "integer"
  | "number"
  | "choice"
  | "repeatable"
  | "pair"
  | "repeatable-pair";

/**
 * - `yes`: implemented.
 * - `apache`: means something only to Apache; accepted, ignored with one warning.
 */
export type Support = "yes" | "apache";

export type Pair = readonly [string, string];

/** A parsed value: what each kind produces. */
export type OptionValue = boolean | string | number | readonly string[] | Pair | readonly Pair[];

export interface NumberRange {
  readonly min: number;
  readonly max?: number;
}

export interface OptionSpec {
  /** Long name without the leading dashes, e.g. `port`. */
  readonly name: string;
  readonly kind: OptionKind;
  /** Argument placeholders for `--help`: none for a flag, two for a pair. */
  readonly metavar: readonly string[];
  /** The default as mod_wsgi-express has it; undefined when unset. */
  readonly default?: OptionValue;
  /** How `--help` shows a default that is computed, e.g. `<host>:<port>`. */
  readonly defaultText?: string;
  readonly help: string;
  readonly support: Support;
  /** The heading `--help` lists it under. */
  readonly group: OptionGroup;
  /** Works, but is not listed in `--help`. */
  readonly hidden?: boolean;
  /** For `choice`: the accepted values, matched without regard to case. */
  readonly choices?: readonly string[];
  /** For `integer` and `number`. */
  readonly range?: NumberRange;
  /** For an alias: the name of the option whose value it sets. */
  readonly aliasOf?: string;
}

/** How many command-line words follow the option name. */
export function arity(kind: OptionKind): 0 | 1 | 2 {
  if (kind === "flag") return 0;
  return kind === "pair" || kind === "repeatable-pair" ? 2 : 1;
}

/** The name under which an option's value is stored: its own, or the aliased one's. */
export function destination(spec: OptionSpec): string {
  return spec.aliasOf ?? spec.name;
}
