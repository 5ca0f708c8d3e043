import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LISTING_MAX_AGE_MS, RootListing } from "../../../src/static/root-listing.js";

test("names in the root may be there; others certainly are not", async () => {
  const root = mkdtempSync(join(tmpdir(), "root-listing-"));
  writeFileSync(join(root, "robots.txt"), "");
  const listing = new RootListing(root);
  assert.equal(await listing.mayContain("robots.txt"), true);
  assert.equal(await listing.mayContain("api"), false);
  // Fresh: answered without going back to the disk.
  assert.equal(listing.mayContain("api"), false);
});

test("a file added to the root is seen once the listing is older than its max age", async () => {
  const root = mkdtempSync(join(tmpdir(), "root-listing-"));
  let now = 0;
  const listing = new RootListing(root, () => now);
  assert.equal(await listing.mayContain("late.txt"), false);
  writeFileSync(join(root, "late.txt"), "");
  now = LISTING_MAX_AGE_MS - 1;
  assert.equal(listing.mayContain("late.txt"), false);
  now = LISTING_MAX_AGE_MS + 1;
  assert.equal(await listing.mayContain("late.txt"), true);
});

test("an unreadable or missing root gives no shortcut: everything may be there", async () => {
  const root = mkdtempSync(join(tmpdir(), "root-listing-"));
  rmSync(root, { recursive: true });
  const listing = new RootListing(root);
  assert.equal(await listing.mayContain("anything"), true);
});
