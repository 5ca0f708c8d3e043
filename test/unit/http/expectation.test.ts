import { test } from "node:test";
import assert from "node:assert/strict";
import { expectationFailedText, unmetExpectation } from "../../../src/http/expectation.js";

test("only the whole value 100-continue, in any case, is an expectation met", () => {
  assert.equal(unmetExpectation({}), false);
  assert.equal(unmetExpectation({ expect: "" }), false);
  assert.equal(unmetExpectation({ expect: "100-continue" }), false);
  assert.equal(unmetExpectation({ expect: "100-CONTINUE" }), false);
  assert.equal(unmetExpectation({ expect: "200-ok" }), true);
  // node would take these for 100-continue; Apache compares the whole value.
  assert.equal(unmetExpectation({ expect: "100-continue, foo" }), true);
  assert.equal(unmetExpectation({ expect: "100-continue, 100-continue" }), true);
});

test("the 417 page names the value sent, escaped, as Apache's canned text", () => {
  const text = expectationFailedText('<script>"x"&');
  assert.match(text, /could not be met by this server/);
  assert.match(text, /Expect: &lt;script&gt;&quot;x&quot;&amp;\n<\/pre>/);
  assert.match(text, /Only the 100-continue expectation is supported/);
  assert.match(expectationFailedText(undefined), /No expectation was seen/);
});
