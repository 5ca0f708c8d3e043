/** Issue #25: --embedded-mode in the config, and the options it refuses. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { resolveConfig } from "../../../src/config/resolve.js";
import { OptionReader } from "../../../src/config/option-reader.js";
import {
  NAMED_GROUP_WHY,
  REFUSED_IN_EMBEDDED_MODE,
  resolveEmbedded,
} from "../../../src/config/resolve-embedded.js";
import { isWsgiExpressError } from "../../../src/errors.js";
import { fakeContext, parseArgs } from "./fakes.js";

function resolveWith(argv: string[]) {
  const context = fakeContext();
  return resolveConfig(parseArgs(["start-server", ...argv], context.env), context);
}

test("--embedded-mode: embedded, and the application is in no process group", async () => {
  const config = await resolveWith(["--embedded-mode", "--processes", "3"]);
  assert.equal(config.daemons.embedded, true);
  assert.equal(config.daemons.processes, 3);
  assert.equal(config.application.processGroup, "");
  assert.deepEqual(config.ignoredOptions, []);
  const daemon = await resolveWith([]);
  assert.equal(daemon.daemons.embedded, false);
  assert.notEqual(daemon.application.processGroup, "");
});

const VALUES: Record<string, string[]> = {
  "https-port": ["8443"],
  user: ["nobody"],
  group: ["nogroup"],
  "virtual-memory-limit": ["1000000000"],
  "deadlock-timeout": ["60"],
};

test("each option embedded mode cannot honour yet is refused, naming it and why", () => {
  for (const [name, why] of Object.entries(REFUSED_IN_EMBEDDED_MODE)) {
    const argv = ["start-server", "--embedded-mode", `--${name}`, ...(VALUES[name] ?? [])];
    assert.throws(
      () => resolveEmbedded(new OptionReader(parseArgs(argv, {}))),
      (error: unknown) =>
        isWsgiExpressError(error) &&
        error.code === "WSGIX_ERR_EMBEDDED_OPTION" &&
        error.message.startsWith(`--${name}: not available with --embedded-mode: ${why}`),
      name,
    );
  }
});

test("--application-group: %{GLOBAL} is embedded mode's, a named group is refused", async () => {
  const config = await resolveWith(["--embedded-mode", "--application-group", "%{GLOBAL}"]);
  assert.equal(config.application.applicationGroup, "");
  const argv = ["start-server", "--embedded-mode", "--application-group", "shop"];
  assert.throws(() => resolveEmbedded(new OptionReader(parseArgs(argv, {}))), {
    code: "WSGIX_ERR_EMBEDDED_OPTION",
    message: `--application-group: not available with --embedded-mode: ${NAMED_GROUP_WHY}; leave it out or run in daemon mode`,
  });
});

test("a refused option is refused by the whole resolution too", async () => {
  await assert.rejects(resolveWith(["--embedded-mode", "--debug-mode"]), {
    code: "WSGIX_ERR_EMBEDDED_OPTION",
  });
});

test("the recycle rules are embedded mode's too (the workers are recycled)", async () => {
  const config = await resolveWith([
    "--embedded-mode",
    ...["--maximum-requests", "5", "--restart-interval", "6", "--memory-limit", "1000000"],
    ...["--cpu-time-limit", "7", "--inactivity-timeout", "8"],
  ]);
  const { maximumRequests, restartInterval, memoryLimit, cpuTimeLimit, inactivityTimeout } =
    config.daemons;
  assert.deepEqual(
    [maximumRequests, restartInterval, memoryLimit, cpuTimeLimit, inactivityTimeout],
    [5, 6, 1000000, 7, 8],
  );
});
