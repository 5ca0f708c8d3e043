/**
 * The docs' option list, generated from the table like `--help` (STYLE.md, practice 2):
 * every option, hidden ones included and marked, with its default and support status.
 */
import { describeOption } from "./help.js";
import type { OptionSpec, Support } from "./spec.js";
import { OPTIONS } from "./table.js";

const SUPPORT: Record<Support, string> = {
  yes: "yes",
  apache: "Apache only (accepted, ignored)",
};

export function optionTableMarkdown(options: readonly OptionSpec[] = OPTIONS): string {
  const header = "| Option | Argument | Supported | Description |\n| --- | --- | --- | --- |\n";
  return header + options.map(markdownRow).join("");
}

function markdownRow(spec: OptionSpec): string {
  const name = `\`--${spec.name}\`${spec.hidden === true ? " (hidden)" : ""}`;
  const argument = spec.metavar.map((word) => `\`${word}\``).join(" ");
  const cells = [name, argument, SUPPORT[spec.support], describeOption(spec)];
  return `| ${cells.map(escapeCell).join(" | ")} |\n`;
}

function escapeCell(text: string): string {
  return text.replaceAll("|", "\\|");
}
