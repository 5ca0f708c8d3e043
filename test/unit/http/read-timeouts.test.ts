import assert from "node:assert/strict";
import { test } from "node:test";
import { phaseDeadline } from "../../../src/http/read-timeouts.js";
import { connectionCap, maxClients } from "../../../src/config/resolve-clients.js";

test("phase deadlines follow mod_reqtimeout: MinRate buys seconds up to the max", () => {
  const header = { timeout: 15, max: 30, minRate: 500 };
  assert.equal(phaseDeadline(header, 0, 0), 15_000);
  assert.equal(phaseDeadline(header, 0, 499), 15_000);
  assert.equal(phaseDeadline(header, 0, 1000), 17_000);
  assert.equal(phaseDeadline(header, 0, 1_000_000), 30_000);
  const body = { timeout: 15, max: 0, minRate: 500 };
  assert.equal(phaseDeadline(body, 1000, 500_000), 1000 + 1015_000);
  assert.equal(phaseDeadline({ timeout: 0, max: 0, minRate: 0 }, 0, 0), Infinity);
  assert.equal(phaseDeadline({ timeout: 2, max: 0, minRate: 0 }, 0, 1e9), 2000);
});

test("--max-clients sizing and the connection cap", () => {
  assert.equal(maxClients(null, 5), 20);
  assert.equal(maxClients(null, 40), 70);
  assert.equal(maxClients(3, 10), 10);
  assert.equal(maxClients(100, 10), 100);
  assert.equal(connectionCap(null), 10_000);
  assert.equal(connectionCap(20_000), 17_744);
  assert.equal(connectionCap(1024), 665);
  // Under a low limit the cap stays below it, so connections are refused (and logged)
  // before accept() meets EMFILE.
  assert.equal(connectionCap(100), 40);
  assert.equal(connectionCap(64), 25);
});
