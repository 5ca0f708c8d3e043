/**
 * The interpreter the daemons run: `--python-executable` (a file, or a virtual
 * environment directory meaning its bin/python), else `$VIRTUAL_ENV/bin/python`, else
 * `python3` on PATH. The path is kept as given (made absolute, never resolved through a
 * symlink: a venv's bin/python must keep the venv as sys.prefix), then probed once.
 */
import { delimiter, join, resolve } from "node:path";
import { WsgiExpressError, quote } from "../errors.js";
import type { ResolveContext } from "./context.js";
import type { OptionReader } from "./option-reader.js";
import type { PythonInfo } from "./server-config.js";

/** The oldest Python the daemon runtime supports (DESIGN.md). */
export const MINIMUM_PYTHON: readonly [number, number] = [3, 9];

export interface PythonChoice {
  readonly executable: string;
  /** What named it, for error messages: `--python-executable`, `VIRTUAL_ENV` or `PATH`. */
  readonly source: string;
}

export async function resolvePython(
  options: OptionReader,
  context: ResolveContext,
): Promise<PythonInfo> {
  const choice = choosePython(options.optionalString("python-executable"), context);
  checkExecutable(choice, context);
  const probe = await context.probePython(choice.executable, context.env);
  if (!probe.ok) throw unusable(choice, `it did not run as Python (${probe.reason})`);
  const version = probe.version.split(/\s/, 1)[0] ?? probe.version;
  if (!isSupported(probe.versionInfo)) throw unusable(choice, `it is Python ${version}`);
  if (options.flag("enable-coverage") && probe.coverage !== true) {
    throw new WsgiExpressError(
      "WSGIX_ERR_COVERAGE",
      `--enable-coverage: expected the coverage package to be importable in ` +
        `${choice.executable}, got none; install it with ` +
        `'${choice.executable} -m pip install coverage'`,
    );
  }
  if (options.string("application-type") === "paste" && probe.pasteDeploy !== true) {
    throw new WsgiExpressError(
      "WSGIX_ERR_PASTE_DEPLOY",
      `--application-type paste: expected the PasteDeploy package (paste.deploy) to be ` +
        `importable in ${choice.executable}, got none; install it with ` +
        `'${choice.executable} -m pip install PasteDeploy'`,
    );
  }
  const [major, minor] = probe.versionInfo as [number, number];
  return {
    executable: choice.executable,
    version,
    prefix: probe.prefix,
    release: [major, minor],
    freeThreaded: probe.freeThreaded === true,
  };
}

export function choosePython(given: string | null, context: ResolveContext): PythonChoice {
  if (given !== null) {
    const path = resolve(context.cwd, given);
    const executable = context.files.isDirectory(path) ? venvPython(path) : path;
    return { executable, source: "--python-executable" };
  }
  const venv = context.env["VIRTUAL_ENV"];
  if (venv !== undefined && venv !== "") {
    return { executable: venvPython(resolve(context.cwd, venv)), source: "VIRTUAL_ENV" };
  }
  return { executable: findOnPath("python3", context), source: "PATH" };
}

function venvPython(directory: string): string {
  return join(directory, "bin", "python");
}

function findOnPath(name: string, context: ResolveContext): string {
  const path = context.env["PATH"] ?? "";
  const unsearchable: string[] = [];
  for (const directory of path.split(delimiter)) {
    // An empty PATH entry means the current directory, as for execvp(3).
    const candidate = resolve(context.cwd, directory, name);
    const found = statOutcome(() => isExecutableFile(candidate, context));
    if (found === true) return candidate;
    // An entry the user may not search (root's PATH under `runuser -u nobody`) is
    // skipped, as execvp(3) and shells skip it.
    if (typeof found === "string") unsearchable.push(`${directory} (${found})`);
  }
  const skipped = unsearchable.length > 0 ? `; could not search ${unsearchable.join(", ")}` : "";
  throw new WsgiExpressError(
    "WSGIX_ERR_PYTHON",
    `PATH: expected a ${name} interpreter on PATH (or give --python-executable), ` +
      `got none in ${quote(path)}${skipped}`,
  );
}

function isExecutableFile(path: string, context: ResolveContext): boolean {
  return context.files.isFile(path) && context.files.isExecutable(path);
}

/** The check's answer, or the error code (EACCES, ELOOP, ...) that kept it from one. */
function statOutcome(check: () => boolean): boolean | string {
  try {
    return check();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (typeof code !== "string") throw error;
    return code;
  }
}

function checkExecutable(choice: PythonChoice, context: ResolveContext): void {
  const { files } = context;
  const exists = statOutcome(() => files.exists(choice.executable));
  if (typeof exists === "string") throw unusable(choice, `cannot reach it (${exists})`);
  if (!exists) throw unusable(choice, "no such file");
  if (statOutcome(() => isExecutableFile(choice.executable, context)) !== true) {
    throw unusable(choice, "not an executable file");
  }
}

function isSupported(versionInfo: readonly (number | string)[]): boolean {
  const [major, minor] = versionInfo;
  if (typeof major !== "number" || typeof minor !== "number") return false;
  const [leastMajor, leastMinor] = MINIMUM_PYTHON;
  return major > leastMajor || (major === leastMajor && minor >= leastMinor);
}

function unusable(choice: PythonChoice, why: string): WsgiExpressError {
  const [major, minor] = MINIMUM_PYTHON;
  return new WsgiExpressError(
    "WSGIX_ERR_PYTHON",
    `${choice.source}: expected a Python ${major}.${minor} or newer interpreter, ` +
      `got ${quote(choice.executable)}: ${why}`,
  );
}
