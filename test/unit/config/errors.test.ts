import { test } from "node:test";
import assert from "node:assert/strict";
import { resolveConfig } from "../../../src/config/resolve.js";
import type { ErrorCode } from "../../../src/errors.js";
import { fakeContext, fakeProbe, parseArgs } from "./fakes.js";

const CASES: [string, string[], ErrorCode][] = [
  ["a missing script", ["missing.wsgi"], "WSGIX_ERR_MISSING_FILE"],
  ["a directory as script", ["lib"], "WSGIX_ERR_MISSING_FILE"],
  ["a missing --entry-point", ["app.wsgi", "--entry-point", "gone.wsgi"], "WSGIX_ERR_MISSING_FILE"],
  ["a missing working directory", ["--working-directory", "/nope"], "WSGIX_ERR_NOT_A_DIRECTORY"],
  ["a file as working directory", ["--working-directory", "app.wsgi"], "WSGIX_ERR_NOT_A_DIRECTORY"],
  [
    "a missing --python-path",
    ["--python-path", "lib", "--python-path", "nope"],
    "WSGIX_ERR_NOT_A_DIRECTORY",
  ],
  ["a missing Paste .ini", ["--application-type", "paste", "gone.ini"], "WSGIX_ERR_MISSING_FILE"],
  [
    "a file as static root",
    ["--application-type", "static", "app.wsgi"],
    "WSGIX_ERR_NOT_A_DIRECTORY",
  ],
  ["a bad --add-handler extension", ["--add-handler", "a/b", "app.wsgi"], "WSGIX_ERR_OPTION_VALUE"],
  ["a missing --add-handler script", ["--add-handler", ".md", "gone.py"], "WSGIX_ERR_MISSING_FILE"],
  ["a bad --error-log-format", ["--error-log-format", "%{x}Z"], "WSGIX_ERR_OPTION_VALUE"],
  ["a bad module name", ["--application-type", "module", "app.wsgi/x"], "WSGIX_ERR_OPTION_VALUE"],
  ["a bad callable name", ["--callable-object", "app()"], "WSGIX_ERR_OPTION_VALUE"],
  ["a relative mount point", ["--mount-point", "app"], "WSGIX_ERR_OPTION_VALUE"],
  ["a small header buffer", ["--header-buffer-size", "100"], "WSGIX_ERR_OPTION_VALUE"],
  ["a small send buffer", ["--send-buffer-size", "511"], "WSGIX_ERR_OPTION_VALUE"],
  ["a small receive buffer", ["--receive-buffer-size", "100"], "WSGIX_ERR_OPTION_VALUE"],
  ["an empty host", ["--host", ""], "WSGIX_ERR_OPTION_VALUE"],
  ["an empty log name", ["--error-log-name", ""], "WSGIX_ERR_OPTION_VALUE"],
];

for (const [name, argv, code] of CASES) {
  test(`resolution refuses ${name} with ${code}, before probing Python`, async () => {
    const probe = fakeProbe();
    const context = fakeContext({ probePython: probe });
    await assert.rejects(resolveConfig(parseArgs(["start-server", ...argv]), context), {
      code,
      exitCode: 2,
    });
    assert.deepEqual(probe.calls, []);
  });
}
