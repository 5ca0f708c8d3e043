/** Issue #25: finding the user's libpython, and the OpenSSL check. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { checkOpenssl, findLibpython, libraryOf } from "../../../src/embedded/libpython.js";
import { isWsgiExpressError } from "../../../src/errors.js";

const PROBE = { shared: 1, libdir: "/nowhere", soname: "libpython3.99.so.1.0", ldlibrary: null };

test("a Python without --enable-shared is refused with how to get one", () => {
  assert.throws(
    () => libraryOf("/opt/py/bin/python3", { ...PROBE, shared: 0, openssl: null, executable: "" }),
    (error: unknown) =>
      isWsgiExpressError(error) &&
      error.code === "WSGIX_ERR_EMBEDDED_PYTHON" &&
      /built without --enable-shared.*PYTHON_CONFIGURE_OPTS=--enable-shared/.test(error.message),
  );
});

test("a libpython that is named but absent is refused", () => {
  assert.throws(
    () => libraryOf("/opt/py/bin/python3", { ...PROBE, openssl: null, executable: "" }),
    /names its shared library libpython3\.99\.so\.1\.0 in \/nowhere, but it is not there/,
  );
});

test("the running Python's libpython is found through sysconfig", async () => {
  const found = await findLibpython("python3");
  assert.match(found.library, /libpython3\.\d+\.so/);
  assert.match(found.openssl ?? "", /^\d+\.\d+\.\d+$/);
  assert.match(found.executable, /python/);
});

test("OpenSSL: the same release, or node's newer within the major, is accepted", () => {
  const python = { library: "x", executable: "x" };
  checkOpenssl({ ...python, openssl: "3.0.19" }, "3.0.19");
  checkOpenssl({ ...python, openssl: "3.0.2" }, "3.5.1");
  checkOpenssl({ ...python, openssl: null }, "3.0.19");
});

test("OpenSSL: another major, or Python's newer, is refused naming both versions", () => {
  const python = { library: "x", executable: "x" };
  for (const [built, node] of [
    ["1.1.1", "3.0.19"],
    ["3.5.0", "3.0.19"],
  ] as const) {
    assert.throws(
      () => {
        checkOpenssl({ ...python, openssl: built }, node);
      },
      (error: unknown) =>
        isWsgiExpressError(error) &&
        error.message.includes(`built with OpenSSL ${built}`) &&
        error.message.includes(`node runs OpenSSL ${node}`),
    );
  }
});
