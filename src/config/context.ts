/**
 * Everything resolution needs from the outside world, passed in so that resolving a
 * configuration does no I/O of its own and unit tests need no files or processes.
 */
import type { MachineLimits } from "./capacity.js";

export type Environment = Readonly<Record<string, string | undefined>>;

/** Synchronous questions about paths; answers are false when a path cannot be read. */
export interface FileChecks {
  exists(path: string): boolean;
  isFile(path: string): boolean;
  isDirectory(path: string): boolean;
  isExecutable(path: string): boolean;
}

/** What running `<python> -c ...` reported about the interpreter. */
export type ProbeResult =
  | {
      readonly ok: true;
      /** sys.version_info, e.g. [3, 11, 7, "final", 0]. */
      readonly versionInfo: readonly (number | string)[];
      /** sys.version. */
      readonly version: string;
      /** sys.prefix. */
      readonly prefix: string;
      /** coverage.py is importable (absent: not asked). */
      readonly coverage?: boolean;
      /** paste.deploy is importable (absent: not asked). */
      readonly pasteDeploy?: boolean;
      /** A free-threaded build: sysconfig's Py_GIL_DISABLED (absent: not asked). */
      readonly freeThreaded?: boolean;
    }
  | { readonly ok: false; readonly reason: string };

export type PythonProbe = (executable: string, env: Environment) => Promise<ProbeResult>;

export interface ResolveContext {
  readonly env: Environment;
  /** The command's working directory: relative paths are made absolute against it. */
  readonly cwd: string;
  readonly uid: number;
  readonly pid: number;
  readonly files: FileChecks;
  readonly probePython: PythonProbe;
  /** The machine's open-file limit and available memory (capacity.ts). */
  readonly machineLimits: MachineLimits;
}
