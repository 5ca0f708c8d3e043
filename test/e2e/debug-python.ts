/**
 * The Python with coverage.py for the --enable-coverage tests: WSGI_EXPRESS_COVERAGE_PYTHON
 * (set by .ci/run), else a venv made once in <repo>/.ci-venv. Never a silent skip: if
 * neither works the tests fail.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./harness.js";

/** How long a test waits for another test file that is making the venv. */
const LOCK_WAIT_MS = 300_000;

export function coveragePython(): string {
  const given = process.env["WSGI_EXPRESS_COVERAGE_PYTHON"];
  if (given !== undefined && given !== "") return given;
  const venv = join(ROOT, ".ci-venv");
  const python = join(venv, "bin", "python");
  // Test files run in parallel processes: two of them making the venv at once break it.
  return whileHolding(`${venv}.lock`, () => {
    if (!existsSync(python)) execFileSync("python3", ["-m", "venv", venv]);
    try {
      // -I: not from the current directory, where c8's coverage/ report folder would
      // pass for the package.
      execFileSync(python, ["-I", "-c", "import coverage"], { stdio: "ignore" });
    } catch {
      execFileSync(python, ["-m", "pip", "install", "--quiet", "coverage"]);
    }
    return python;
  });
}

/** Runs `work` holding a lock between processes: a directory, as mkdir is atomic. */
export function whileHolding<T>(lock: string, work: () => T): T {
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    if (Date.now() > deadline) throw new Error(`${lock} is still there (a crashed run?)`);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
  }
  try {
    return work();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}
