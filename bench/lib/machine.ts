/**
 * The machine and software a run was measured on, for the results file.
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { availableParallelism, loadavg, release } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { REPO_ROOT, VENV_BIN } from "./paths.js";

const run = promisify(execFile);

/** First line of a command's output (stdout, else stderr), or "not available". */
async function firstLine(command: string, args: readonly string[]): Promise<string> {
  try {
    const { stdout, stderr } = await run(command, args, { timeout: 10_000, cwd: REPO_ROOT });
    return (stdout.trim() || stderr.trim()).split("\n")[0] ?? "";
  } catch (error) {
    const out = (error as { stdout?: string }).stdout?.trim(); // wrk -v exits 1
    return out ? (out.split("\n")[0] ?? "") : "not available";
  }
}

function cpuModel(): string {
  const info = readFileSync("/proc/cpuinfo", "utf8");
  return /^model name\s*:\s*(.+)$/m.exec(info)?.[1] ?? "unknown";
}

function memTotal(): string {
  const kib = Number(/^MemTotal:\s+(\d+) kB/m.exec(readFileSync("/proc/meminfo", "utf8"))?.[1]);
  return `${(kib / 1024 / 1024).toFixed(1)} GiB`;
}

/** Other work on the machine skews every figure; the results file says how busy it was. */
export function loadAverage(): string {
  return loadavg()
    .map((load) => load.toFixed(2))
    .join(", ");
}

export async function machineFacts(): Promise<[string, string][]> {
  const pip = join(VENV_BIN, "python");
  const version = (pkg: string): Promise<string> =>
    firstLine(pip, ["-c", `import importlib.metadata as m; print(m.version("${pkg}"))`]);
  const facts: [string, Promise<string> | string][] = [
    ["CPUs (nproc)", String(availableParallelism())],
    ["CPU model", cpuModel()],
    ["memory", memTotal()],
    ["kernel", release()],
    ["load average before the run (1, 5, 15 min)", loadAverage()],
    ["Node.js", process.version],
    ["Python (venv: wsgi-express and pip peers)", firstLine(pip, ["--version"])],
    ["Python (Debian, embedded by mod_wsgi)", firstLine("/usr/bin/python3", ["--version"])],
    ["wsgi-express commit", firstLine("git", ["rev-parse", "--short", "HEAD"])],
    ["wrk", firstLine("wrk", ["-v"])],
    ["gunicorn", version("gunicorn")],
    ["uWSGI", version("uwsgi")],
    ["waitress", version("waitress")],
    ["Granian", version("granian")],
    ["Flask (venv)", version("flask")],
    ["Apache", firstLine("/usr/sbin/apache2", ["-v"])],
    ["mod_wsgi", firstLine("dpkg-query", ["-W", "-f=${Version}", "libapache2-mod-wsgi-py3"])],
  ];
  return Promise.all(facts.map(async ([key, value]) => [key, await value] as [string, string]));
}
