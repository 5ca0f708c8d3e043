import { test } from "node:test";
import assert from "node:assert/strict";
import type { ResolveContext } from "../../../src/config/context.js";
import { resolveConfig } from "../../../src/config/resolve.js";
import { fakeContext, parseArgs } from "./fakes.js";

function resolveWith(argv: string[], context: ResolveContext = fakeContext()) {
  return resolveConfig(parseArgs(["start-server", ...argv], context.env), context);
}

test("telemetry is off by default, with mod_wsgi-express's defaults", async () => {
  const config = await resolveWith([]);
  assert.deepEqual(config.telemetry, {
    uiPort: null,
    service: null,
    intervalSeconds: 1,
    slowRequestSeconds: null,
    captureUserAgent: false,
    captureQueryString: false,
  });
});

test("--enable-telemetry, --telemetry-service, --slow-requests and the option words", async () => {
  const config = await resolveWith([
    "--enable-telemetry",
    "--telemetry-ui-port",
    "9999",
    "--telemetry-service",
    "unix:/run/collector.sock",
    "--telemetry-interval",
    "0.5",
    "--slow-requests",
    "2",
    "--telemetry-options",
    "+CaptureUserAgent -capturequerystring",
    "--telemetry-options",
    "CaptureQueryString",
  ]);
  assert.deepEqual(config.telemetry, {
    uiPort: 9999,
    service: { kind: "unix", path: "/run/collector.sock" },
    intervalSeconds: 0.5,
    slowRequestSeconds: 2,
    captureUserAgent: true,
    captureQueryString: true,
  });
  const udp = await resolveWith(["--telemetry-service", "udp:127.0.0.1:9125"]);
  assert.deepEqual(udp.telemetry.service, { kind: "udp", host: "127.0.0.1", port: 9125 });
  const udp6 = await resolveWith(["--telemetry-service", "udp:[::1]:9125"]);
  assert.deepEqual(udp6.telemetry.service, { kind: "udp", host: "::1", port: 9125 });
});

test("bad telemetry options: one error naming the option", async () => {
  const cases: [string[], string, RegExp][] = [
    [
      ["--telemetry-service", "unix:relative.sock"],
      "WSGIX_ERR_OPTION_VALUE",
      /--telemetry-service/,
    ],
    [["--telemetry-service", "udp:localhost:99"], "WSGIX_ERR_OPTION_VALUE", /--telemetry-service/],
    [["--telemetry-service", "udp:127.0.0.1:0"], "WSGIX_ERR_OPTION_VALUE", /--telemetry-service/],
    [["--telemetry-service", "tcp:1.2.3.4:5"], "WSGIX_ERR_OPTION_VALUE", /--telemetry-service/],
    [["--telemetry-interval", "0.1"], "WSGIX_ERR_OPTION_VALUE", /--telemetry-interval/],
    [["--slow-requests", "1"], "WSGIX_ERR_OPTION_NEEDS", /--slow-requests needs/],
    [
      ["--telemetry-options", "+CaptureEverything"],
      "WSGIX_ERR_OPTION_VALUE",
      /--telemetry-options/,
    ],
  ];
  for (const [argv, code, message] of cases) {
    await assert.rejects(resolveWith(argv), (error: Error & { code?: string }) => {
      assert.equal(error.code, code, argv.join(" "));
      assert.match(error.message, message);
      return true;
    });
  }
});
