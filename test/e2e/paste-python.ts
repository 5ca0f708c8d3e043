/**
 * A Python with PasteDeploy for the --application-type paste test: the venv of
 * debug-python.ts (WSGI_EXPRESS_COVERAGE_PYTHON, which .ci/run makes with PasteDeploy
 * in it, else <repo>/.ci-venv), PasteDeploy installed into it when missing. Never a
 * silent skip: without PyPI and without the package, the test fails.
 */
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { coveragePython, whileHolding } from "./debug-python.js";
import { ROOT } from "./harness.js";

export function pastePython(): string {
  const python = coveragePython();
  return whileHolding(join(ROOT, ".ci-venv.lock"), () => {
    try {
      execFileSync(python, ["-I", "-c", "import paste.deploy"], { stdio: "ignore" });
    } catch {
      execFileSync(python, ["-m", "pip", "install", "--quiet", "PasteDeploy"]);
    }
    return python;
  });
}
