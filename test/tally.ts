/**
 * The two test runners' summaries, read for `npm test`'s closing line (test/run-all.ts).
 * A module of its own so that the unit test loads it without the runner, which c8 would
 * then count as uncovered code.
 */

export interface Tally {
  readonly passed: number;
  readonly failed: number;
}

/** node:test's TAP summary (`# pass N`, `# fail N`, `# cancelled N`). */
export function tallyNodeTest(output: string): Tally | null {
  const field = (name: string): number | null => {
    const match = new RegExp(`^# ${name} (\\d+)$`, "m").exec(output);
    return match?.[1] === undefined ? null : Number(match[1]);
  };
  const passed = field("pass");
  const failed = field("fail");
  if (passed === null || failed === null) return null;
  return { passed, failed: failed + (field("cancelled") ?? 0) };
}

/** unittest's summary: `Ran N tests`, then `OK` or `FAILED (failures=F, errors=E, ...)`. */
export function tallyUnittest(output: string): Tally | null {
  const ran = /^Ran (\d+) tests? in /m.exec(output);
  if (ran?.[1] === undefined) return null;
  const total = Number(ran[1]);
  const verdict = /^(?:OK|FAILED)(?: \(([^)]*)\))?$/m.exec(output);
  if (verdict === null) return null;
  const details = verdict[1] ?? "";
  const count = (name: string): number =>
    Number(new RegExp(`\\b${name}=(\\d+)`).exec(details)?.[1] ?? 0);
  const skipped = count("skipped");
  const failed = count("failures") + count("errors") + count("unexpected successes");
  return { passed: total - failed - skipped, failed };
}
