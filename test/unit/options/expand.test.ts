import { test } from "node:test";
import assert from "node:assert/strict";
import { expandVars } from "../../../src/options/expand.js";
import { parseArgs } from "../config/fakes.js";

const ENV = { HOME: "/home/u", PORT: "9000", EMPTY: "", A_1: "x" };

test("$VAR and ${VAR} expand from the environment", () => {
  assert.equal(expandVars("$HOME/app", ENV), "/home/u/app");
  assert.equal(expandVars("${HOME}app", ENV), "/home/uapp");
  assert.equal(expandVars("$A_1-$PORT", ENV), "x-9000");
  assert.equal(expandVars("[$EMPTY]", ENV), "[]");
});

test("unknown variables and lone dollars are left as written (os.path.expandvars)", () => {
  assert.equal(expandVars("$NOPE/${NOPE}", ENV), "$NOPE/${NOPE}");
  assert.equal(expandVars("cost $5 $ ${}", ENV), "cost $5 $ ${}");
  assert.equal(expandVars("$constructor", ENV), "$constructor");
});

test("an expansion is not expanded again", () => {
  assert.equal(expandVars("$X", { X: "$HOME" }), "$HOME");
});

test("every argument is expanded before parsing, option names included", () => {
  const env = { ...ENV, OPT: "--threads", CMD: "start-server" };
  const args = parseArgs(["$CMD", "$HOME/app.wsgi", "--port", "$PORT", "$OPT=3"], env);
  assert.equal(args.script, "/home/u/app.wsgi");
  assert.equal(args.values.get("port"), 9000);
  assert.equal(args.values.get("threads"), 3);
});
