import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import {
  digestChallenge,
  digestMatches,
  digestParams,
  parseDigest,
} from "../../../src/auth/digest.js";

const md5 = (text: string): string => createHash("md5").update(text).digest("hex");

/** The worked example of RFC 2617 §3.5 (MD5, qop=auth), which RFC 7616 keeps. */
const RFC_EXAMPLE =
  'Digest username="Mufasa", realm="testrealm@host.com", ' +
  'nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", uri="/dir/index.html", qop=auth, ' +
  'nc=00000001, cnonce="0a4f113b", response="6629fae49393a05397450978507c4ef1", ' +
  'opaque="5ccc069c403ebaf9f0171e9517f40e41"';

test("the RFC's example parses and its response matches H(A1) of the password", () => {
  const parsed = parseDigest(RFC_EXAMPLE);
  assert.equal(parsed.kind, "digest");
  const answer = parsed.response;
  assert.equal(answer.username, "Mufasa");
  assert.equal(answer.count, 1);
  assert.equal(answer.opaque, "5ccc069c403ebaf9f0171e9517f40e41");
  const ha1 = md5("Mufasa:testrealm@host.com:Circle Of Life");
  assert.equal(digestMatches(answer, "GET", ha1), true);
  assert.equal(digestMatches(answer, "GET", ha1.toUpperCase()), true, "hex in any case");
  assert.equal(digestMatches(answer, "POST", ha1), false, "the method is signed");
  assert.equal(digestMatches(answer, "GET", md5("Mufasa:testrealm@host.com:wrong")), false);
});

test("quoted values may hold commas, escapes and spaces; names are case-blind", () => {
  const params = digestParams('Username="a\\"b, c" , REALM = r,nc=00000002');
  assert.deepEqual(
    [...(params ?? new Map<string, string>())],
    [
      ["username", 'a"b, c'],
      ["realm", "r"],
      ["nc", "00000002"],
    ],
  );
  assert.equal(digestParams('a="unterminated'), null);
  assert.equal(digestParams("a=1, a=2"), null, "a repeated parameter");
  assert.equal(digestParams("=x"), null);
});

test("no header, or another scheme, asks for a challenge", () => {
  assert.equal(parseDigest(undefined).kind, "absent");
  assert.equal(parseDigest("Basic YTpi").kind, "absent");
  assert.equal(parseDigest("Digestive x=1").kind, "absent");
});

test("a Digest header we cannot use is malformed (400), saying why", () => {
  const without = (name: string): string =>
    RFC_EXAMPLE.replace(new RegExp(`, ${name}=("[^"]*"|[^,]*)`), "");
  for (const name of ["realm", "nonce", "uri", "response", "cnonce", "nc"]) {
    const parsed = parseDigest(without(name));
    assert.equal(parsed.kind, "malformed", name);
  }
  const cases: [string, RegExp][] = [
    [RFC_EXAMPLE.replace("qop=auth", "qop=auth-int"), /qop/],
    [without("qop"), /qop/],
    [RFC_EXAMPLE + ", algorithm=SHA-256", /algorithm/],
    [RFC_EXAMPLE.replace("nc=00000001", "nc=1"), /nc/],
    ['Digest username="x", =', /parse/],
  ];
  for (const [header, why] of cases) {
    const parsed = parseDigest(header);
    assert.equal(parsed.kind, "malformed", header);
    assert.match(parsed.why, why);
  }
  assert.equal(parseDigest(RFC_EXAMPLE + ", algorithm=md5").kind, "digest");
});

test("the challenge offers MD5 with qop=auth, and says stale when asked", () => {
  assert.equal(
    digestChallenge('a"b', "N", "O", false),
    'Digest realm="a\\"b", qop="auth", algorithm=MD5, nonce="N", opaque="O"',
  );
  assert.match(digestChallenge("r", "N", "O", true), /, stale=true$/);
});
