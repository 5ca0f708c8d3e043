import { test } from "node:test";
import assert from "node:assert/strict";
import { statusTarget } from "../../../src/setup/status-command.js";

test("status asks on loopback unless the server listens on one other address only", () => {
  for (const host of [null, "localhost", "0.0.0.0", "::", "127.0.0.1", "127.0.1.1"]) {
    assert.deepEqual(statusTarget({ host, port: 8000 }), { host: "127.0.0.1", port: 8000 });
  }
  assert.deepEqual(statusTarget({ host: "10.0.0.5", port: 0 }), { host: "10.0.0.5", port: 0 });
  assert.deepEqual(statusTarget({ host: "fe80::1", port: 80 }), { host: "[fe80::1]", port: 80 });
});
