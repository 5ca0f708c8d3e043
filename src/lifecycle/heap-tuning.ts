/**
 * The front end's one V8 heap setting (issue #6, bench/PROFILE.md "Fifth pass").
 *
 * node:http copies every chunk of a request body into a buffer of its own. V8 counts
 * such buffers against the old generation's limit until a collection frees them, and it
 * sets that limit from what survived the last mark-compact: ~8 MB here, so the limit
 * sat at ~31 MB and a few megabytes of upload started the next mark-compact. Under
 * 1 MiB uploads the front end ran ~25 of them a second and spent a fifth of its CPU
 * there. With the limit at five times what survives (V8 picks 1.1-4x), the scavenges
 * that free the young copies anyway come first: echo_upload's front end used a quarter
 * less CPU per request, with the same peak memory, and hello and flask_json did not
 * move beyond the noise.
 *
 * V8 reads the factor at each mark-compact, so it can be set here, for however the front
 * end was started (npx, the control script, a test). A value given to node is kept.
 */
import { setFlagsFromString } from "node:v8";

const FLAG = "--heap-growing-percent";
export const HEAP_GROWING_PERCENT = 400;

/** The flag to set, or null when the node options already carry one (V8 takes `_`
 *  for `-` in flag names). */
export function heapGrowingFlag(nodeOptions: readonly string[]): string | null {
  const named = (option: string): boolean =>
    (option.split("=")[0] ?? "").replaceAll("_", "-") === FLAG;
  return nodeOptions.some(named) ? null : `${FLAG}=${HEAP_GROWING_PERCENT}`;
}

export function tuneHeap(): void {
  const given = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? "").split(/\s+/)];
  const flag = heapGrowingFlag(given);
  if (flag !== null) setFlagsFromString(flag);
}
