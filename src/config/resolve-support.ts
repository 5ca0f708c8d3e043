/** Which of the given options are ignored (Apache-only). */
import type { Support } from "../options/spec.js";
import { findOption } from "../options/table.js";

export interface SupportReport {
  /** Apache-only options given, as `--name`, in command-line order. */
  readonly ignoredOptions: readonly string[];
}

export function resolveSupport(given: readonly string[]): SupportReport {
  return {
    ignoredOptions: withSupport(given, "apache"),
  };
}

function withSupport(given: readonly string[], support: Support): string[] {
  return given.filter((name) => findOption(name)?.support === support).map((name) => `--${name}`);
}
