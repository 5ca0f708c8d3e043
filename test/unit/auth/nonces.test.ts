import { test } from "node:test";
import assert from "node:assert/strict";
import { NONCE_LIFETIME_MS, NonceBook } from "../../../src/auth/nonces.js";

test("a nonce is fresh for its lifetime, stale after, on the injected clock", (t) => {
  t.mock.timers.enable({ apis: ["Date"], now: 1_800_000_000_000 });
  const book = new NonceBook(() => Date.now());
  const nonce = book.issue();
  assert.equal(book.state(nonce), "fresh");
  t.mock.timers.tick(NONCE_LIFETIME_MS);
  assert.equal(book.state(nonce), "fresh");
  t.mock.timers.tick(1);
  assert.equal(book.state(nonce), "stale");
  // A new one is fresh again.
  assert.equal(book.state(book.issue()), "fresh");
});

test("a nonce not made by this book, or altered, or from the future, is forged", (t) => {
  t.mock.timers.enable({ apis: ["Date"], now: 1_800_000_000_000 });
  const book = new NonceBook(() => Date.now());
  const other = new NonceBook(() => Date.now());
  const nonce = book.issue();
  const [time = "", random = "", mac = ""] = nonce.split(".");
  assert.equal(book.state(other.issue()), "forged");
  assert.equal(
    book.state(`${time}.${random}.${mac.replace(/^./, (c) => (c === "0" ? "1" : "0"))}`),
    "forged",
  );
  // A later time with the old MAC: the MAC covers the time.
  const later = (parseInt(time, 16) + 1000).toString(16);
  assert.equal(book.state(`${later}.${random}.${mac}`), "forged");
  for (const junk of ["", "x", "a.b", "a.b.c.d", `${time}.${random}`, `zz.${random}.${mac}`]) {
    assert.equal(book.state(junk), "forged", junk);
  }
  // Made by this book, but with the clock set back: not by this clock.
  t.mock.timers.setTime(1_700_000_000_000);
  assert.equal(book.state(nonce), "forged");
});

test("each nonce count must be higher than any seen with that nonce: a replay is refused", (t) => {
  t.mock.timers.enable({ apis: ["Date"], now: 1_800_000_000_000 });
  const book = new NonceBook(() => Date.now());
  const nonce = book.issue();
  assert.equal(book.accept(nonce, 1), true);
  assert.equal(book.accept(nonce, 1), false, "the same count again");
  assert.equal(book.accept(nonce, 3), true, "counts may skip (parallel requests)");
  assert.equal(book.accept(nonce, 2), false, "but never go back");
  assert.equal(book.accept(nonce, 0), false);
  // Counts are per nonce.
  assert.equal(book.accept(book.issue(), 1), true);
  assert.equal(book.accept("forged.nonce.x", 1), false);
});

test("the counts of expired nonces are forgotten", (t) => {
  t.mock.timers.enable({ apis: ["Date"], now: 1_800_000_000_000 });
  const book = new NonceBook(() => Date.now());
  for (let i = 0; i < 5; i += 1) book.accept(book.issue(), 1);
  assert.equal(book.tracked, 5);
  t.mock.timers.tick(NONCE_LIFETIME_MS + 1);
  book.accept(book.issue(), 1);
  assert.equal(book.tracked, 1);
});

test("a full book forgets its oldest counts, and then refuses nonces as old as those", (t) => {
  t.mock.timers.enable({ apis: ["Date"], now: 1_800_000_000_000 });
  const book = new NonceBook(() => Date.now(), NONCE_LIFETIME_MS, 2);
  const first = book.issue();
  const early = book.issue();
  t.mock.timers.tick(10);
  const second = book.issue();
  t.mock.timers.tick(10);
  const third = book.issue();
  assert.equal(book.accept(first, 1), true);
  assert.equal(book.accept(second, 1), true);
  assert.equal(book.accept(third, 1), true);
  assert.equal(book.tracked, 2);
  // first's count was forgotten: its replay must not look like a first use.
  assert.equal(book.accept(first, 1), false);
  // Nor may an unused nonce as old as it (its count could be among the forgotten).
  assert.equal(book.accept(early, 1), false);
  assert.equal(book.accept(third, 2), true);
});
