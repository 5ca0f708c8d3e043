import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { app, eventually, request, startServer } from "./harness.js";

function hasGdb(): boolean {
  try {
    execFileSync("gdb", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

// .ci/run installs gdb and sets WSGI_EXPRESS_REQUIRE_GDB, so CI never skips this.
const skip = !hasGdb() && process.env["WSGI_EXPRESS_REQUIRE_GDB"] !== "1";

test("--enable-gdb: a fault in C code stops in gdb with a backtrace", { skip }, async (t) => {
  const server = await startServer([app("segfault.wsgi"), "--enable-gdb"]);
  t.after(() => server.stop());
  assert.ok(existsSync(join(server.serverRoot, "gdb.cmds")));
  assert.equal((await request(server.url)).body.toString(), "ok");
  await request(`${server.url}segfault`).catch(() => null);
  const output = await eventually(
    () => server.banner() + server.stderr(),
    (text) => /^#0 /m.test(text),
  );
  assert.match(output, /SIGSEGV/);
});
