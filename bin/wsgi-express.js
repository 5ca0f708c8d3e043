#!/usr/bin/env node
// Both `wsgi-express` and `mod_wsgi-express` point here (package.json "bin").
import { existsSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const main = new URL("../dist/src/cli/main.js", import.meta.url);
if (!existsSync(main)) {
  // A checkout whose dist/ was never built (npm install --ignore-scripts, or a `git
  // clean`): build it rather than fail with ERR_MODULE_NOT_FOUND, and say why we wait.
  const prepare = fileURLToPath(new URL("../scripts/prepare.js", import.meta.url));
  if (!existsSync(prepare)) {
    process.stderr.write(
      `wsgi-express: ${fileURLToPath(main)} is missing; reinstall the package\n`,
    );
    process.exit(1);
  }
  process.stderr.write("wsgi-express: dist/ is missing, building it first\n");
  const built = spawnSync(process.execPath, [prepare], { stdio: "inherit" });
  if (built.status !== 0) process.exit(built.status ?? 1);
}
const { main: run } = await import(main.href);
process.exitCode = await run(process.argv.slice(2));
