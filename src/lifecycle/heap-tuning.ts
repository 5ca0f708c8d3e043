/**
 * The front end's V8 heap settings (issue #6, bench/PROFILE.md "Fifth pass"; issue #18).
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
 *
 * The second setting turns off allocation-site pretenuring (bench/PROFILE.md, tenth
 * pass). V8 allocates straight into the old generation what an allocation site's past
 * objects mostly survived to; a per-request object that happens to be alive at two
 * scavenges in a row (one held across a promise, under load) can tip a site over, and
 * from then on each request's copy is born old and keeps what it points to alive until
 * the next mark-compact: ~3 KB promoted per hello request, the garbage collector's
 * share of the front end's CPU from 2 % to 10 %. Nothing the front end keeps for long
 * is allocated often enough for pretenuring to win anything back.
 */
import { setFlagsFromString } from "node:v8";

export const HEAP_GROWING_PERCENT = 400;

/** Each flag by its name, and the setting the front end gives it. */
const TUNING: readonly { name: string; setting: string }[] = [
  { name: "--heap-growing-percent", setting: `--heap-growing-percent=${HEAP_GROWING_PERCENT}` },
  // Allocation-site pretenuring (see above): off, so no request object is ever born old.
  { name: "--allocation-site-pretenuring", setting: "--no-allocation-site-pretenuring" },
];

/** The flags to set: each of TUNING that the node options do not already carry, in
 *  either form (V8 takes `_` for `-` in flag names, and `--no-` negates a boolean). */
export function heapFlags(nodeOptions: readonly string[]): string[] {
  const given = new Set(
    nodeOptions.map((option) =>
      (option.split("=")[0] ?? "").replaceAll("_", "-").replace(/^--no-/, "--"),
    ),
  );
  return TUNING.filter(({ name }) => !given.has(name)).map(({ setting }) => setting);
}

export function tuneHeap(): void {
  const given = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? "").split(/\s+/)];
  for (const flag of heapFlags(given)) setFlagsFromString(flag);
}
