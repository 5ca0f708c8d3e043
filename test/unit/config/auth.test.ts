import { test } from "node:test";
import assert from "node:assert/strict";
import { fakeContext, fakeFiles, rejectsNaming, resolveStartServer } from "./fakes.js";

function resolveWith(argv: string[]) {
  const files = fakeFiles();
  files.files.add("/work/app/users.py");
  files.files.add("/work/app/groups.py");
  return resolveStartServer(argv, fakeContext({ files }));
}

function failsWith(argv: string[], code: string, option: string): Promise<void> {
  return rejectsNaming(resolveWith(argv), code, option);
}

test("no scripts by default: Basic, group wsgi, realm HOST:PORT", async () => {
  const { auth } = await resolveWith(["--port", "8080"]);
  assert.deepEqual(auth, {
    hostAccessScript: null,
    userScript: null,
    type: "Basic",
    realm: "localhost:8080",
    groupScript: null,
    group: "wsgi",
  });
});

test("scripts resolve against the working directory; --auth-type is case-blind", async () => {
  const { auth } = await resolveWith([
    ...["--host-access-script", "users.py", "--auth-user-script", "users.py"],
    ...["--auth-type", "digest", "--auth-group-script", "groups.py", "--auth-group", "staff"],
    ...["--host", "127.0.0.1", "--port", "9000"],
  ]);
  assert.deepEqual(auth, {
    hostAccessScript: "/work/app/users.py",
    userScript: "/work/app/users.py",
    type: "Digest",
    realm: "127.0.0.1:9000",
    groupScript: "/work/app/groups.py",
    group: "staff",
  });
});

test("a script that does not exist is one error naming the option and the file", async () => {
  for (const option of ["host-access-script", "auth-user-script"]) {
    await failsWith([`--${option}`, "missing.py"], "WSGIX_ERR_MISSING_FILE", `--${option}`);
    await assert.rejects(resolveWith([`--${option}`, "missing.py"]), /'missing\.py'/);
  }
  await failsWith(
    ["--auth-user-script", "users.py", "--auth-group-script", "nope.py"],
    "WSGIX_ERR_MISSING_FILE",
    "--auth-group-script",
  );
});

test("a group script without a user script is refused: it would protect nothing", async () => {
  await failsWith(
    ["--auth-group-script", "groups.py"],
    "WSGIX_ERR_OPTION_NEEDS",
    "--auth-group-script",
  );
});

test("--auth-type takes Basic or Digest only", async () => {
  await failsWith(["--auth-type", "NTLM"], "WSGIX_ERR_OPTION_VALUE", "--auth-type");
});
