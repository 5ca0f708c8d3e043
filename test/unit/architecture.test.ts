/**
 * The layering docs/architecture.md draws, checked on the source: no import cycle between
 * files, and each folder imports only the folders below it.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const SRC = fileURLToPath(new URL("../../../src/", import.meta.url));

/**
 * What each folder of src/ may import, besides itself and the top-level files (shared
 * leaves such as errors.ts). Read from the bottom up, it is the layering: daemon/ only
 * dispatches, to processes it sees through an interface (daemon/pool.ts's
 * DispatchTarget); lifecycle/ runs the processes and reads their HELLO (protocol/).
 */
const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  options: [],
  config: ["options"],
  protocol: [],
  log: ["config"],
  debug: [],
  http: ["config", "log"],
  static: ["config", "log", "http"],
  buffering: ["config", "log"],
  daemon: ["config", "log", "protocol", "buffering", "exchange", "process"],
  // The HTTP side of a request sees a backend only through exchange/backend.ts.
  exchange: ["config", "log", "http", "buffering"],
  // The access and auth scripts' stage: its helper process, its Digest nonces.
  auth: ["config", "log", "http", "exchange", "process"],
  // The reverse proxy: a client library (undici) on the HTTP side of a request.
  proxy: ["config", "log", "http", "exchange"],
  "front-door": [
    "config",
    "log",
    "http",
    "static",
    "buffering",
    "exchange",
    "daemon",
    "auth",
    "cgi",
    "proxy",
    "telemetry",
  ],
  cgi: ["config", "log", "http", "process"],
  process: ["log"],
  lifecycle: [
    "config",
    "log",
    "http",
    "protocol",
    "front-door",
    "daemon",
    "process",
    "service",
    "telemetry",
  ],
  telemetry: ["config", "log", "daemon", "process"],
  service: ["config", "log", "process"],
  setup: ["config", "lifecycle"],
  docs: ["options"],
  embedded: [
    "config",
    "log",
    "http",
    "protocol",
    "front-door",
    "daemon",
    "process",
    "service",
    "lifecycle",
  ],
  cli: ["config", "options", "setup", "lifecycle", "debug", "embedded"],
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") ? [relative(SRC, path)] : [];
  });
}

const IMPORT = /(?:from|import)\s*\(?\s*"(\.{1,2}\/[^"]+)\.js"/g;

function importsOf(file: string): string[] {
  const text = readFileSync(join(SRC, file), "utf8");
  return [...text.matchAll(IMPORT)].map((match) =>
    relative(SRC, join(SRC, dirname(file), `${match[1] ?? ""}.ts`)),
  );
}

const graph = new Map(sourceFiles(SRC).map((file) => [file, importsOf(file)]));

function folderOf(file: string): string {
  const slash = file.indexOf("/");
  return slash < 0 ? file.replace(/\.ts$/, "") : file.slice(0, slash);
}

/** Every cycle found by a depth-first walk, each as the files along it. */
function cycles(): string[][] {
  const found: string[][] = [];
  const state = new Map<string, "open" | "done">();
  const path: string[] = [];
  const visit = (file: string): void => {
    state.set(file, "open");
    path.push(file);
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === "open") found.push([...path.slice(path.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    path.pop();
    state.set(file, "done");
  };
  for (const file of graph.keys()) if (!state.has(file)) visit(file);
  return found;
}

test("every relative import names a file that exists", () => {
  const missing = [...graph].flatMap(([file, imports]) =>
    imports.filter((target) => !graph.has(target)).map((target) => `${file} -> ${target}`),
  );
  assert.deepEqual(missing, []);
});

test("no import cycle between files of src/", () => {
  assert.deepEqual(
    cycles().map((cycle) => cycle.join(" -> ")),
    [],
  );
});

test("each folder imports only the folders below it", () => {
  const wrong: string[] = [];
  for (const [file, imports] of graph) {
    const from = folderOf(file);
    if (!file.includes("/")) continue;
    const allowed = ALLOWED[from];
    assert.ok(allowed, `src/${from}/ is missing from the layering table`);
    for (const target of imports) {
      const to = folderOf(target);
      if (to === from || !target.includes("/") || allowed.includes(to)) continue;
      wrong.push(`${file} -> ${target}`);
    }
  }
  assert.deepEqual(wrong, []);
});

test("the layering itself has no cycle: no two folders may import each other", () => {
  const reaches = (from: string, to: string, seen = new Set<string>()): boolean =>
    (ALLOWED[from] ?? []).some(
      (next) => next === to || (!seen.has(next) && (seen.add(next), reaches(next, to, seen))),
    );
  const cyclic = Object.keys(ALLOWED).filter((folder) => reaches(folder, folder));
  assert.deepEqual(cyclic, []);
});
