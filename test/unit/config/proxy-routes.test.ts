import { test } from "node:test";
import assert from "node:assert/strict";
import { resolveConfig } from "../../../src/config/resolve.js";
import { fakeContext, parseArgs } from "./fakes.js";

async function resolveWith(argv: string[]) {
  const context = fakeContext();
  return resolveConfig(
    parseArgs(["start-server", "app.wsgi", "--server-root", "/srv/root", ...argv], context.env),
    context,
  );
}

async function failsWith(argv: string[], option: string, value: string): Promise<void> {
  await assert.rejects(resolveWith(argv), (error: { code?: string; message?: string }) => {
    assert.equal(error.code, "WSGIX_ERR_OPTION_VALUE");
    assert.ok((error.message ?? "").startsWith(`${option}: expected `), error.message);
    assert.ok((error.message ?? "").includes(value), error.message);
    return true;
  });
}

test("no proxy routes by default; the timeout is --socket-timeout's", async () => {
  const { reverseProxy } = await resolveWith(["--socket-timeout", "7"]);
  assert.deepEqual(reverseProxy, { mounts: [], hosts: [], timeout: 7 });
});

test("mount points: every URL shape, longest first, old name included", async () => {
  const { reverseProxy } = await resolveWith([
    ...["--proxy-mount-point", "/api", "http://127.0.0.1:9000/v1/"],
    ...["--proxy-url-alias", "/api/deep/", "https://Backend.example:8443"],
    ...["--proxy-mount-point", "/", "unix:/run/app.sock|http://localhost/base"],
    ...["--proxy-mount-point", "/ws", "ws://127.0.0.1:9001"],
    ...["--proxy-timeout", "2.5"],
  ]);
  assert.deepEqual(
    reverseProxy.mounts.map((m) => [m.path, m.backend]),
    [
      [
        "/api/deep",
        {
          url: "https://Backend.example:8443",
          origin: "https://backend.example:8443",
          socketPath: null,
          basePath: "",
          host: "backend.example:8443",
        },
      ],
      [
        "/api",
        {
          url: "http://127.0.0.1:9000/v1/",
          origin: "http://127.0.0.1:9000",
          socketPath: null,
          basePath: "/v1",
          host: "127.0.0.1:9000",
        },
      ],
      [
        "/ws",
        {
          url: "ws://127.0.0.1:9001",
          origin: "http://127.0.0.1:9001",
          socketPath: null,
          basePath: "",
          host: "127.0.0.1:9001",
        },
      ],
      [
        "",
        {
          url: "unix:/run/app.sock|http://localhost/base",
          origin: "http://localhost",
          socketPath: "/run/app.sock",
          basePath: "/base",
          host: "localhost",
        },
      ],
    ],
  );
  assert.equal(reverseProxy.timeout, 2.5);
});

test("virtual hosts are matched by lower-case name", async () => {
  const { reverseProxy } = await resolveWith([
    ...["--proxy-virtual-host", "API.Example.com", "http://127.0.0.1:9000"],
  ]);
  assert.equal(reverseProxy.hosts[0]?.name, "api.example.com");
  assert.equal(reverseProxy.hosts[0].backend.origin, "http://127.0.0.1:9000");
});

test("a bad route is one error naming the option and the value", async () => {
  const mount = (path: string, url: string) => ["--proxy-mount-point", path, url];
  await failsWith(mount("api", "http://h/"), "--proxy-mount-point", "api");
  await failsWith(mount("/a b", "http://h/"), "--proxy-mount-point", "/a b");
  await failsWith(mount("/api", "ftp://h/"), "--proxy-mount-point", "ftp://h/");
  await failsWith(mount("/api", "not a url"), "--proxy-mount-point", "not a url");
  await failsWith(mount("/api", "http://u:p@h/"), "--proxy-mount-point", "u:p@h");
  await failsWith(mount("/api", "http://h/?q=1"), "--proxy-mount-point", "?q=1");
  await failsWith(mount("/api", "unix:run.sock|http://h/"), "--proxy-mount-point", "run.sock");
  await failsWith(mount("/api", "unix:/run.sock|file:///x"), "--proxy-mount-point", "file:");
  await failsWith(
    [...mount("/api/", "http://h/"), ...mount("/api", "http://g/")],
    "--proxy-mount-point",
    "/api",
  );
  const host = (name: string) => ["--proxy-virtual-host", name, "http://h/"];
  await failsWith(host("bad_name"), "--proxy-virtual-host", "bad_name");
  await failsWith([...host("a.b"), ...host("A.B")], "--proxy-virtual-host", "a.b");
  await assert.rejects(resolveWith(["--proxy-timeout", "-1"]), { code: "WSGIX_ERR_OPTION_VALUE" });
});
