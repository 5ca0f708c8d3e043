/**
 * docs/options.md, generated from the option table (STYLE.md, practice 2). `npm run docs`
 * writes it; a unit test fails when the committed page differs from what the table gives.
 */
import { OPTION_GROUPS, type OptionGroup } from "../options/groups.js";
import { optionTableMarkdown } from "../options/markdown.js";
import { OPTIONS } from "../options/table.js";

const INTRO = `# Options

\`wsgi-express start-server\` and \`setup-server\` accept every option of
\`mod_wsgi-express\` (6.0.5), so a command line can be moved over unchanged. Apache-only
options are accepted and named in one warning line; options not built yet are accepted and
warned about the same way. \`$VAR\` and \`\${VAR}\` in values are expanded from the
environment, as mod_wsgi-express does.

This page is generated from the option table (\`src/options/table*.ts\`) by
\`npm run docs\`; do not edit it by hand.

`;

/** One section per heading of `--help`, in the same order. */
export function optionsPage(): string {
  const groups = Object.entries(OPTION_GROUPS) as [OptionGroup, string][];
  const sections = groups.map(([group, title]) => {
    const rows = OPTIONS.filter((spec) => spec.group === group);
    return `## ${title}\n\n${optionTableMarkdown(rows)}`;
  });
  return INTRO + sections.join("\n");
}
