/**
 * The production Python probe: runs the interpreter once with `-c` and reads back
 * sys.version_info, sys.version and sys.prefix as JSON. A real child process, with a
 * timeout, so that a hanging or broken interpreter is reported rather than waited on.
 */
import { execFile, type ExecFileException } from "node:child_process";
import type { Environment, ProbeResult, PythonProbe } from "./context.js";

// print() with one argument also works on Python 2, whose version is then reported.
// Whether coverage.py is importable is asked here too (--enable-coverage needs it), so
// that there is still one probe process.
const SCRIPT = [
  "import json, sys",
  "try:",
  "    import importlib.util",
  // A directory named coverage (c8's output, say) is only a namespace package.
  "    spec = importlib.util.find_spec('coverage')",
  "    coverage = spec is not None and spec.origin not in (None, 'namespace')",
  "except Exception:",
  "    coverage = False",
  // --application-type paste needs PasteDeploy (paste.deploy.loadapp).
  "try:",
  "    paste = importlib.util.find_spec('paste.deploy') is not None",
  "except Exception:",
  "    paste = False",
  // PEP 703: a free-threaded (3.13t) build defines Py_GIL_DISABLED (--free-threading).
  "try:",
  "    import sysconfig",
  "    free = bool(sysconfig.get_config_var('Py_GIL_DISABLED'))",
  "except Exception:",
  "    free = False",
  "print(json.dumps({'version_info': list(sys.version_info)," +
    " 'version': sys.version, 'prefix': sys.prefix, 'coverage': coverage," +
    " 'paste_deploy': paste, 'free_threaded': free}))",
].join("\n");

const TIMEOUT_MS = 15_000;

export const probePython: PythonProbe = (executable: string, env: Environment) =>
  new Promise<ProbeResult>((settle) => {
    execFile(
      executable,
      ["-c", SCRIPT],
      { env, timeout: TIMEOUT_MS, windowsHide: true },
      (error, stdout, stderr) => {
        settle(error === null ? readProbe(stdout) : { ok: false, reason: failure(error, stderr) });
      },
    );
  });

/** Why the probe process failed, in a few words: never the whole command line, which
 *  execFile's message repeats with the script in it. */
export function failure(error: ExecFileException, output: string): string {
  if (typeof error.code === "string") return `it could not be started: ${error.code}`;
  const said = firstLine(output);
  const saying = said === "" ? "" : `, saying: ${said}`;
  if (error.killed === true || error.signal) {
    const signal = error.signal ?? "a signal";
    return `it was stopped by ${signal}${error.killed === true ? ` after ${TIMEOUT_MS / 1000} s` : ""}${saying}`;
  }
  return `exit status ${String(error.code ?? "unknown")}${saying}`;
}

/** The first non-blank line of a process's output, cut short if long. */
function firstLine(output: string): string {
  const line = output.split("\n").find((text) => text.trim() !== "") ?? "";
  const text = line.trim();
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** The probe's JSON, checked; anything else is not (a working) Python. */
export function readProbe(stdout: string): ProbeResult {
  let data: unknown;
  try {
    data = JSON.parse(stdout);
  } catch {
    const said = firstLine(stdout);
    return {
      ok: false,
      reason: said === "" ? "it printed nothing" : `it printed something else: ${said}`,
    };
  }
  if (!isProbeData(data)) return { ok: false, reason: "it printed unexpected JSON" };
  return {
    ok: true,
    versionInfo: data.version_info,
    version: data.version,
    prefix: data.prefix,
    coverage: data.coverage === true,
    pasteDeploy: data.paste_deploy === true,
    freeThreaded: data.free_threaded === true,
  };
}

interface ProbeData {
  readonly version_info: (number | string)[];
  readonly version: string;
  readonly prefix: string;
  readonly coverage?: boolean;
  readonly paste_deploy?: boolean;
  readonly free_threaded?: boolean;
}

function isProbeData(data: unknown): data is ProbeData {
  if (typeof data !== "object" || data === null) return false;
  const record = data as Record<string, unknown>;
  return (
    Array.isArray(record["version_info"]) &&
    typeof record["version"] === "string" &&
    typeof record["prefix"] === "string"
  );
}
