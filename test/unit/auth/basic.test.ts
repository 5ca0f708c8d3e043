import { test } from "node:test";
import assert from "node:assert/strict";
import { basicChallenge, basicCredentials } from "../../../src/auth/basic.js";

const encode = (text: string): string => Buffer.from(text, "latin1").toString("base64");

test("user and password split at the first colon (RFC 7617 §2)", () => {
  assert.deepEqual(basicCredentials(`Basic ${encode("alice:se:cret")}`), {
    user: "alice",
    password: "se:cret",
  });
  assert.deepEqual(basicCredentials(`bAsIc   ${encode("bob:")}`), { user: "bob", password: "" });
  // No colon: the whole is the user, as Apache splits it.
  assert.deepEqual(basicCredentials(`Basic ${encode("carol")}`), { user: "carol", password: "" });
});

test("bytes reach the script as latin-1 code points, as mod_wsgi decodes them", () => {
  const utf8 = Buffer.from("josé:pw", "utf8").toString("base64");
  assert.deepEqual(basicCredentials(`Basic ${utf8}`), { user: "josÃ©", password: "pw" });
});

test("no header, another scheme or a malformed token asks for credentials", () => {
  for (const header of [undefined, "", "Digest x=1", "Basic", "Basic a b", "Basicx YTpi"]) {
    assert.equal(basicCredentials(header), null, String(header));
  }
});

test("the challenge names the realm, quoted", () => {
  assert.equal(basicChallenge("localhost:8000"), 'Basic realm="localhost:8000"');
  assert.equal(basicChallenge('a"b\\c'), 'Basic realm="a\\"b\\\\c"');
});
