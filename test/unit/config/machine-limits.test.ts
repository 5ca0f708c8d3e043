import assert from "node:assert/strict";
import { test } from "node:test";
import { readAvailableMemory, readOpenFileLimit } from "../../../src/config/machine-limits.js";

const MiB = 1024 * 1024;
const MEMINFO = "MemTotal: 67108864 kB\nMemAvailable: 33554432 kB\nSwapFree: 1048576 kB\n";
const HOST = (33554432 + 1048576) * 1024;

/** A file system of these files: any other path reads as "" (missing). */
const files =
  (entries: Record<string, string>) =>
  (path: string): string =>
    entries[path] ?? "";

test("without a cgroup limit, the host's available memory and free swap", () => {
  assert.equal(readAvailableMemory(files({ "/proc/meminfo": MEMINFO })), HOST);
  const unlimited = files({
    "/proc/meminfo": MEMINFO,
    "/proc/self/cgroup": "0::/\n",
    "/sys/fs/cgroup/memory.max": "max\n",
    "/sys/fs/cgroup/memory.current": "104857600\n",
  });
  assert.equal(readAvailableMemory(unlimited), HOST);
  assert.equal(readAvailableMemory(files({})), null);
});

test("a container's cgroup v2 limit, less what it uses, when below the host's", () => {
  const container = {
    "/proc/meminfo": MEMINFO,
    "/proc/self/cgroup": "0::/\n",
    "/sys/fs/cgroup/memory.max": `${String(512 * MiB)}\n`,
    "/sys/fs/cgroup/memory.current": `${String(100 * MiB)}\n`,
  };
  assert.equal(readAvailableMemory(files(container)), 412 * MiB);
  // Without a cgroup namespace the listed path need not exist in the mount.
  const listed = { ...container, "/proc/self/cgroup": "0::/system.slice/app.service\n" };
  assert.equal(readAvailableMemory(files(listed)), 412 * MiB);
  const nested = {
    "/proc/meminfo": MEMINFO,
    "/proc/self/cgroup": "0::/app\n",
    "/sys/fs/cgroup/app/memory.max": `${String(256 * MiB)}\n`,
    "/sys/fs/cgroup/app/memory.current": `${String(56 * MiB)}\n`,
  };
  assert.equal(readAvailableMemory(files(nested)), 200 * MiB);
});

test("cgroup v1: the memory controller's limit, also among others; its 'unlimited' is none", () => {
  const v1 = (line: string, limit: string) =>
    files({
      "/proc/meminfo": MEMINFO,
      "/proc/self/cgroup": `5:cpu,cpuacct:/\n${line}\n1:name=systemd:/\n`,
      "/sys/fs/cgroup/memory/docker/abc/memory.limit_in_bytes": `${limit}\n`,
      "/sys/fs/cgroup/memory/docker/abc/memory.usage_in_bytes": `${String(256 * MiB)}\n`,
    });
  assert.equal(readAvailableMemory(v1("4:memory:/docker/abc", String(1024 * MiB))), 768 * MiB);
  assert.equal(
    readAvailableMemory(v1("4:blkio,memory:/docker/abc", String(1024 * MiB))),
    768 * MiB,
  );
  assert.equal(readAvailableMemory(v1("4:memory:/docker/abc", "9223372036854771712")), HOST);
});

test("the open-file limit", () => {
  const limits = (value: string) =>
    files({ "/proc/self/limits": `Max open files            ${value}  ${value}  files\n` });
  assert.equal(readOpenFileLimit(limits("20000")), 20_000);
  assert.equal(readOpenFileLimit(limits("unlimited")), null);
  assert.equal(readOpenFileLimit(files({})), null);
});
