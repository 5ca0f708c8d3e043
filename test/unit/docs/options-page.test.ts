import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { optionsPage } from "../../../src/docs/options-page.js";
import { OPTIONS } from "../../../src/options/table.js";

const PAGE = fileURLToPath(new URL("../../../../docs/options.md", import.meta.url));

test("docs/options.md is what the option table gives (run `npm run docs` after a change)", () => {
  assert.equal(readFileSync(PAGE, "utf8"), optionsPage());
});

test("the options page lists every option of the table with its default", () => {
  const page = optionsPage();
  for (const spec of OPTIONS) assert.ok(page.includes(`\`--${spec.name}\``), spec.name);
  assert.match(page, /`--port` .*\(default: 8000\)/);
});
