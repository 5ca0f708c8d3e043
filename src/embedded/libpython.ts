/**
 * The user's Python, as embedded mode needs it: its shared libpython, found the way
 * the interpreter itself reports it (sysconfig LIBDIR and INSTSONAME), and the OpenSSL
 * its ssl module was built with, which must agree with node's (see checkOpenssl).
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { WsgiExpressError } from "../errors.js";

export interface EmbeddablePython {
  /** The libpython to dlopen(), absolute. */
  readonly library: string;
  /** sys.executable: the interpreter itself, not a wrapper (a pyenv shim); Python
   *  finds its prefix, and a venv's pyvenv.cfg, from the program name it is given. */
  readonly executable: string;
  /** ssl.OPENSSL_VERSION_INFO[:3] as "3.0.19"; null when Python has no ssl module. */
  readonly openssl: string | null;
}

const SCRIPT = [
  "import json, sys, sysconfig",
  "v = sysconfig.get_config_var",
  "try:",
  "    import ssl",
  "    openssl = '.'.join(map(str, ssl.OPENSSL_VERSION_INFO[:3]))",
  "except ImportError:",
  "    openssl = None",
  "print(json.dumps({'shared': v('Py_ENABLE_SHARED'), 'libdir': v('LIBDIR'),",
  "    'soname': v('INSTSONAME'), 'ldlibrary': v('LDLIBRARY'), 'openssl': openssl,",
  "    'executable': sys.executable}))",
].join("\n");

interface Probe {
  readonly shared: number | null;
  readonly libdir: string | null;
  readonly soname: string | null;
  readonly ldlibrary: string | null;
  readonly openssl: string | null;
  readonly executable: string;
}

/** Asks `executable` where its libpython is; refuses a Python built without
 *  --enable-shared, which has none to load. */
export async function findLibpython(executable: string): Promise<EmbeddablePython> {
  const probe = await runProbe(executable);
  return {
    library: libraryOf(executable, probe),
    openssl: probe.openssl,
    executable: probe.executable === "" ? executable : probe.executable,
  };
}

export function libraryOf(executable: string, probe: Probe): string {
  if (probe.shared !== 1 || probe.libdir === null) {
    throw new WsgiExpressError(
      "WSGIX_ERR_EMBEDDED_PYTHON",
      `--embedded-mode: ${executable} was built without --enable-shared, so it has no ` +
        "libpython to load; use a Python built with it (pyenv: " +
        "PYTHON_CONFIGURE_OPTS=--enable-shared pyenv install VERSION; distribution " +
        "and python.org builds have it) or run in daemon mode",
    );
  }
  for (const name of [probe.soname, probe.ldlibrary]) {
    if (name === null || name === "") continue;
    const path = join(probe.libdir, name);
    if (existsSync(path)) return path;
  }
  throw new WsgiExpressError(
    "WSGIX_ERR_EMBEDDED_PYTHON",
    `--embedded-mode: ${executable} names its shared library ${String(probe.soname)} in ` +
      `${probe.libdir}, but it is not there`,
  );
}

/**
 * node exports its own (statically linked) OpenSSL's symbols, and they come first in
 * the global symbol scope: Python's _ssl and _hashlib, loaded into a node process, bind
 * to node's OpenSSL rather than to the one they were built with. OpenSSL keeps its ABI
 * within a major release, so that is sound when node's is the same major release and
 * no older (in minor) than Python's; otherwise the server refuses, naming both.
 */
export function checkOpenssl(python: EmbeddablePython, nodeOpenssl: string): void {
  if (python.openssl === null) return;
  const [pythonMajor, pythonMinor] = numbers(python.openssl);
  const [nodeMajor, nodeMinor] = numbers(nodeOpenssl);
  if (pythonMajor === nodeMajor && nodeMinor >= pythonMinor) return;
  throw new WsgiExpressError(
    "WSGIX_ERR_EMBEDDED_PYTHON",
    `--embedded-mode: Python's ssl module was built with OpenSSL ${python.openssl}, but ` +
      `node runs OpenSSL ${nodeOpenssl}, whose symbols it would bind to inside a node ` +
      "process; use a Python built against an OpenSSL of the same major release as " +
      "node's and no newer, or run in daemon mode",
  );
}

function numbers(version: string): [number, number] {
  const [major = "0", minor = "0"] = version.split(/[.+-]/);
  return [Number(major), Number(minor)];
}

function runProbe(executable: string): Promise<Probe> {
  return new Promise((resolve, reject) => {
    execFile(executable, ["-c", SCRIPT], { timeout: 15_000 }, (error, stdout) => {
      if (error !== null) {
        reject(
          new WsgiExpressError(
            "WSGIX_ERR_EMBEDDED_PYTHON",
            `--embedded-mode: cannot ask ${executable} for its libpython: ${error.message.split("\n")[0] ?? ""}`,
          ),
        );
        return;
      }
      resolve(JSON.parse(stdout) as Probe);
    });
  });
}
