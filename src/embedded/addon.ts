/** The native addon's JavaScript face (native/embedded/embedded.c). */
import { createRequire } from "node:module";

/** One batch from Python: [slot, piece, slot, piece, ...]; a null piece is the
 *  slot's drain event (its input fell below the window after push() said full). */
export type OutputBatch = readonly (number | Buffer | null)[];

export const SLOT_PAUSE = 0;
export const SLOT_RESUME = 1;
export const SLOT_CLOSE = 2;

export interface EmbeddedAddon {
  /** Loads libpython, starts Python and the bootstrap; its JSON answer. Once. */
  start(
    library: string,
    programName: string,
    packageDir: string,
    settings: string,
    slots: number,
    onOutput: (batch: OutputBatch) => void,
  ): string;
  /** Bytes for a slot's Python thread (pieces: joined, in order, into one); false:
   *  full, wait for the drain event. */
  push(slot: number, data: Buffer | readonly Buffer[]): boolean;
  control(slot: number, what: typeof SLOT_PAUSE | typeof SLOT_RESUME | typeof SLOT_CLOSE): void;
  /** Takes the GIL on this (the event loop) thread and finalises Python (atexit
   *  handlers run), as the worker exits; Py_FinalizeEx's status, or null if Python was
   *  never started. Blocks while another thread holds the GIL. */
  finalize(): number | null;
}

export function loadAddon(path: string): EmbeddedAddon {
  return createRequire(import.meta.url)(path) as EmbeddedAddon;
}
