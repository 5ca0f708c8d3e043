/**
 * A daemon pool the machine cannot hold is refused before a process starts. Asked for
 * `--processes 100000` on a 24 GiB machine, the front end started daemons until the
 * kernel's OOM killer stopped it, and the machine with it; a typo (1000 for 10) must
 * not take a host down. Only what certainly cannot work is refused: the floors below
 * are a bare interpreter's, not what an application adds.
 */
import { WsgiExpressError } from "../errors.js";
import { readAvailableMemory, readOpenFileLimit } from "./machine-limits.js";

/** The least a daemon process takes: a bare python3 is ~8.6 MiB resident (ours, 12.5). */
const DAEMON_MEMORY_FLOOR = 8 * 1024 * 1024;
/** The front end's descriptors per daemon besides one per thread: its control
 *  connection and its stdout and stderr pipes. */
const DESCRIPTORS_PER_DAEMON = 3;
/** Descriptors kept back for the front end's other files (logs, static files), from the
 *  daemons and the client connections alike: at most this many. */
const DESCRIPTOR_RESERVE = 256;

export interface MachineLimits {
  /** The front end's open-file limit; null: unknown. */
  readonly openFiles: number | null;
  /** Memory processes can still take (RAM available plus free swap), bytes; null: unknown. */
  readonly memory: number | null;
}

export function machineLimits(): MachineLimits {
  return { openFiles: readOpenFileLimit(), memory: readAvailableMemory() };
}

/** The front end's descriptors for its daemons: one per thread, plus the control
 *  connection and the stdout and stderr pipes of each. */
export function daemonDescriptors(processes: number, threads: number): number {
  return processes * (threads + DESCRIPTORS_PER_DAEMON);
}

/** Descriptors of `openFileLimit` kept back from the daemons and from the client
 *  connections alike: DESCRIPTOR_RESERVE, or half of a smaller limit. */
export function descriptorReserve(openFileLimit: number): number {
  return Math.min(DESCRIPTOR_RESERVE, Math.floor(openFileLimit / 2));
}

/** Throws, naming --processes, when `processes` daemons of `threads` threads cannot run. */
export function checkCapacity(processes: number, threads: number, limits: MachineLimits): void {
  if (limits.openFiles !== null) {
    const perDaemon = daemonDescriptors(1, threads);
    const most = Math.floor((limits.openFiles - descriptorReserve(limits.openFiles)) / perDaemon);
    if (processes > most) {
      const why = `each holds ${String(perDaemon)} of the front end's ${String(limits.openFiles)} open files with --threads ${String(threads)}`;
      throw capacityError(processes, most, why);
    }
  }
  if (limits.memory !== null) {
    const most = Math.floor(limits.memory / DAEMON_MEMORY_FLOOR);
    if (processes > most) {
      const available = Math.floor(limits.memory / (1024 * 1024));
      const why = `each takes at least 8 MiB of the ${String(available)} MiB of memory available`;
      throw capacityError(processes, most, why);
    }
  }
}

function capacityError(processes: number, most: number, why: string): WsgiExpressError {
  return new WsgiExpressError(
    "WSGIX_ERR_CAPACITY",
    `--processes: expected at most ${String(most)} daemon processes on this machine (${why}), got '${String(processes)}'`,
  );
}
