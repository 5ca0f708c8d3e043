/**
 * The Python with coverage.py for the --enable-coverage tests: WSGI_EXPRESS_COVERAGE_PYTHON
 * (set by .ci/run), else a venv made once in <repo>/.ci-venv. Never a silent skip: if
 * neither works the tests fail.
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./harness.js";

export function coveragePython(): string {
  const given = process.env["WSGI_EXPRESS_COVERAGE_PYTHON"];
  if (given !== undefined && given !== "") return given;
  const venv = join(ROOT, ".ci-venv");
  const python = join(venv, "bin", "python");
  if (!existsSync(python)) execFileSync("python3", ["-m", "venv", venv]);
  try {
    execFileSync(python, ["-c", "import coverage"], { stdio: "ignore" });
  } catch {
    execFileSync(python, ["-m", "pip", "install", "--quiet", "coverage"]);
  }
  return python;
}
