import { test } from "node:test";
import assert from "node:assert/strict";
import { rejectsNaming, resolveStartServer } from "./fakes.js";

const resolveWith = (argv: string[]) => resolveStartServer(argv);

function failsWith(argv: string[], code: string, option: string): Promise<void> {
  return rejectsNaming(resolveWith(argv), code, option);
}

test("health defaults: no probe paths, no shutdown delay", async () => {
  const { health } = await resolveWith([]);
  assert.deepEqual(health, {
    livenessPath: null,
    readinessPath: null,
    shutdownDelay: 0,
    serverStatus: false,
  });
});

test("--liveness-path, --readiness-path and --shutdown-delay resolve as given", async () => {
  const { health } = await resolveWith([
    ...["--liveness-path", "/livez", "--readiness-path", "/-/ready"],
    ...["--shutdown-delay", "2.5"],
  ]);
  assert.deepEqual(health, {
    livenessPath: "/livez",
    readinessPath: "/-/ready",
    shutdownDelay: 2.5,
    serverStatus: false,
  });
});

test("a probe path must be an absolute URL path without query, fragment or spaces", async () => {
  for (const bad of ["livez", "/a?b", "/a#b", "/a b", "", "/a\tb"]) {
    await failsWith(["--liveness-path", bad], "WSGIX_ERR_OPTION_VALUE", "--liveness-path");
    await failsWith(["--readiness-path", bad], "WSGIX_ERR_OPTION_VALUE", "--readiness-path");
  }
});

test("liveness and readiness cannot share a path", async () => {
  await failsWith(
    ["--liveness-path", "/health", "--readiness-path", "/health"],
    "WSGIX_ERR_OPTION_VALUE",
    "--readiness-path",
  );
});

test("--shutdown-delay must not be negative", async () => {
  await failsWith(["--shutdown-delay", "-1"], "WSGIX_ERR_OPTION_VALUE", "--shutdown-delay");
});
