/**
 * Reads a V8 .cpuprofile (node --cpu-prof) and ranks where the front end's time went:
 * self time per function and per area (our code, node:http, streams, net, GC, ...),
 * as a share of non-idle time and, given the request count, as µs per request.
 */
import { readFileSync } from "node:fs";

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
}
interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
}
interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface Ranked {
  readonly name: string;
  readonly micros: number;
}

/** Self microseconds per profile node id. */
function selfTimes(profile: CpuProfile): Map<number, number> {
  const times = new Map<number, number>();
  profile.samples.forEach((id, index) => {
    times.set(id, (times.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0));
  });
  return times;
}

/** A coarse area for a frame: our code by file, node internals by module, V8 buckets. */
export function areaOf(frame: CallFrame): string {
  const { url, functionName } = frame;
  if (!url) return functionName.startsWith("(") ? functionName : "(native)";
  const ours = /\/dist\/(src\/.+)\.js$/.exec(url);
  if (ours?.[1]) return `wsgi-express ${ours[1]}`;
  const internal = /^node:(internal\/)?(.+)$/.exec(url);
  if (internal?.[2]) return `node:${internal[2].replace(/\/.*$/, "")}`;
  return url.replace(/^.*node_modules\//, "npm:").replace(/^file:\/\//, "");
}

function rank(totals: Map<string, number>, top: number): Ranked[] {
  return [...totals]
    .map(([name, micros]) => ({ name, micros }))
    .sort((a, b) => b.micros - a.micros)
    .slice(0, top);
}

export function summarize(
  path: string,
  top = 25,
): { byFunction: Ranked[]; byArea: Ranked[]; busy: number } {
  const profile = JSON.parse(readFileSync(path, "utf8")) as CpuProfile;
  const times = selfTimes(profile);
  const byFunction = new Map<string, number>();
  const byArea = new Map<string, number>();
  let busy = 0;
  for (const node of profile.nodes) {
    const micros = times.get(node.id) ?? 0;
    const frame = node.callFrame;
    if (micros === 0 || frame.functionName === "(idle)") continue;
    busy += micros;
    const file = frame.url.replace(/^.*\/(dist|node_modules)\//, "").replace(/^file:\/\//, "");
    const name = `${frame.functionName || "(anonymous)"} ${file}:${frame.lineNumber + 1}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + micros);
    const area = areaOf(frame);
    byArea.set(area, (byArea.get(area) ?? 0) + micros);
  }
  return { byFunction: rank(byFunction, top), byArea: rank(byArea, top), busy };
}
