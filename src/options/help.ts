/**
 * `--help` layout, generated from the table: optparse's `--setenv KEY VALUE` terms, the
 * default after each description, and long terms on a line of their own so that the
 * descriptions keep a readable width.
 */
import { Help, Option, type HelpConfiguration } from "commander";
import type { OptionSpec } from "./spec.js";

/** Descriptions start in this column unless the terms are all narrower. */
const TERM_COLUMN = 30;

/** The help line of an option: its text, then its default as mod_wsgi-express has it. */
export function describeOption(spec: OptionSpec): string {
  const shown = spec.defaultText ?? showDefault(spec.default);
  return shown === undefined ? spec.help : `${spec.help} (default: ${shown})`;
}

/** What `--help` says about a row that does nothing here, before its description. */
const UNSUPPORTED_MARK: Record<OptionSpec["support"], string> = {
  yes: "",
  apache: "[Apache only; ignored] ",
};

/** The row's line in `--help`: marked when the option is accepted but does nothing. */
export function helpLine(spec: OptionSpec): string {
  return UNSUPPORTED_MARK[spec.support] + describeOption(spec);
}

function showDefault(value: OptionSpec["default"]): string | undefined {
  if (value === undefined || value === false || Array.isArray(value)) return undefined;
  return String(value);
}

/** A commander Option that knows its table row. */
export interface SpecCarrier {
  readonly spec: OptionSpec;
}

function hasSpec(option: Option): option is Option & SpecCarrier {
  return "spec" in option;
}

/** `--setenv KEY VALUE`, as optparse writes it, rather than commander's `<KEY> <VALUE>`. */
function optionTerm(option: Option): string {
  if (!hasSpec(option)) return option.flags;
  return [`--${option.spec.name}`, ...option.spec.metavar].join(" ");
}

function formatItem(term: string, termWidth: number, description: string, helper: Help): string {
  const width = Math.min(termWidth, TERM_COLUMN);
  if (helper.displayWidth(term) <= width) {
    return Help.prototype.formatItem.call(helper, term, width, description, helper);
  }
  const below = Help.prototype.formatItem.call(helper, "", width, description, helper);
  return `  ${term}\n${below}`;
}

export const HELP_CONFIGURATION: HelpConfiguration = {
  optionTerm,
  formatItem,
  sortOptions: false,
};
