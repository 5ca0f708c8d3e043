/** `npm run docs`: writes docs/options.md from the option table. */
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { optionsPage } from "./options-page.js";

/** docs/options.md of this package (dist/src/docs -> package root). */
export const OPTIONS_PAGE = fileURLToPath(new URL("../../../docs/options.md", import.meta.url));

writeFileSync(OPTIONS_PAGE, optionsPage());
