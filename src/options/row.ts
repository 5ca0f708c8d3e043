/** Builds the rows of the option table (src/options/table.ts). */
import type { OptionGroup } from "./groups.js";
import type { NumberRange, OptionKind, OptionSpec, OptionValue, Support } from "./spec.js";

type Extra = Partial<
  Pick<OptionSpec, "hidden" | "choices" | "range" | "aliasOf" | "defaultText">
> & {
  readonly group: OptionGroup;
  readonly default?: OptionValue;
};

/** Builds one row; `metavar` is space separated ("KEY VALUE"), empty for a flag. */
export function row(
  name: string,
  kind: OptionKind,
  metavar: string,
  support: Support,
  extra: Extra,
  help: string,
): OptionSpec {
  const range = kind === "integer" || kind === "number" ? (extra.range ?? NON_NEGATIVE) : undefined;
  const initial = defaultFor(kind);
  return Object.freeze({
    name,
    kind,
    metavar: metavar === "" ? [] : metavar.split(" "),
    support,
    help,
    ...(initial === undefined ? {} : { default: initial }),
    ...extra,
    ...(range === undefined ? {} : { range }),
  });
}

function defaultFor(kind: OptionKind): OptionValue | undefined {
  if (kind === "flag") return false;
  if (kind === "repeatable" || kind === "repeatable-pair") return [];
  return undefined;
}

export const NON_NEGATIVE: NumberRange = { min: 0 };
export const AT_LEAST_ONE: NumberRange = { min: 1 };
export const PORT: NumberRange = { min: 0, max: 65535 };
export const FRACTION: NumberRange = { min: 0, max: 1 };
