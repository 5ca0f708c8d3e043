import assert from "node:assert/strict";
import { test } from "node:test";
import { resolveConfig } from "../../../src/config/resolve.js";
import { rootLines } from "../../../src/lifecycle/banner.js";
import { rootWarnings } from "../../../src/lifecycle/root-warning.js";
import { fakeContext, parseArgs } from "../config/fakes.js";

async function configAs(uid: number, argv: string[]) {
  const context = fakeContext({ uid });
  return resolveConfig(parseArgs(["start-server", "app.wsgi", ...argv], context.env), context);
}

test("root without --user: one warning naming --user/--group, and one per service", async () => {
  const services = ["--service-script", "jobs", "/work/app/readme.txt"];
  const asRoot = await configAs(0, services);
  const warnings = rootWarnings(asRoot, 0);
  assert.equal(warnings.length, 2);
  assert.match(warnings[0] ?? "", /--user\/--group/);
  assert.match(warnings[1] ?? "", /--service-user jobs/);
  assert.match(rootLines(asRoot, 0), /^Warning {12}: started as root/m);
  // --user covers the services too, unless one has its own --service-user.
  assert.deepEqual(rootWarnings(await configAs(0, ["--user", "nobody", ...services]), 0), []);
  // Not root: nothing to say, whatever the options.
  const asUser = await configAs(1000, services);
  assert.deepEqual(rootWarnings(asUser, 1000), []);
  assert.equal(rootLines(asUser, 1000), "");
});

test("root in embedded mode (where --user is refused): the warning says what is left", async () => {
  const embedded = await configAs(0, ["--embedded-mode"]);
  const [warning, ...rest] = rootWarnings(embedded, 0);
  assert.deepEqual(rest, []);
  assert.match(warning ?? "", /^started as root in embedded mode: .* daemon mode with --user/);
  assert.deepEqual(rootWarnings(await configAs(1000, ["--embedded-mode"]), 1000), []);
});
