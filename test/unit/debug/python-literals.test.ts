import { test } from "node:test";
import assert from "node:assert/strict";
import { readCgiVariables, unquote } from "../../../src/debug/python-literals.js";

test("unquote reads Python str reprs", () => {
  assert.equal(unquote(String.raw`'it\'s'`), "it's");
  assert.equal(unquote(`"it's"`), "it's");
  assert.equal(unquote(String.raw`'a\\b\n\t\xe9\u20ac'`), "a\\b\n\té\u20ac");
});

test("readCgiVariables joins pprint's split strings and skips objects", () => {
  const text = [
    "{'CONTENT_LENGTH': '3',",
    " 'HTTP_USER_AGENT': ('first part '",
    "                     'second part'),",
    " 'REQUEST_URI': '/a?b=c',",
    " 'wsgi.input': <_wsgi_express.input.Input object at 0x7f>,",
    " 'wsgi.multithread': False}",
  ].join("\n");
  const variables = readCgiVariables(text);
  assert.equal(variables.get("HTTP_USER_AGENT"), "first part second part");
  assert.equal(variables.get("REQUEST_URI"), "/a?b=c");
  assert.equal(variables.get("CONTENT_LENGTH"), "3");
  assert.equal(variables.has("wsgi.input"), false);
});
