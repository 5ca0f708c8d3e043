/**
 * The embedded-mode addon, built from source on first use (docs/embedded-mode.md).
 * Not an npm install script: npm 11 blocks those by default and `npx` has nowhere to
 * approve them. One C file, compiled with the system's C compiler against the running
 * node's own Node-API headers (or the `node-api-headers` package's); nothing is
 * downloaded. The result is cached under the user's cache directory, keyed by what it
 * depends on: the node ABI, the platform and the source. It does not depend on the
 * Python: the addon dlopen()s libpython at run time, so one build serves them all.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, rename, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { WsgiExpressError } from "../errors.js";

/** native/embedded/embedded.c inside this package (dist/src/embedded -> package root). */
export const ADDON_SOURCE = fileURLToPath(
  new URL("../../../native/embedded/embedded.c", import.meta.url),
);

export interface BuildEnvironment {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The running node's executable (process.execPath) and ABI (process.versions.modules). */
  readonly execPath: string;
  readonly abi: string;
  /** Told once, before a build starts (it takes a second or two). */
  readonly say: (line: string) => void;
  readonly source?: string;
  /** The node-api-headers package's include directory (tests: null, none). */
  readonly packagedHeaders?: string | null;
}

/** `$XDG_CACHE_HOME/wsgi-express` or `~/.cache/wsgi-express`. */
export function cacheDirectory(env: BuildEnvironment["env"]): string {
  const xdg = env["XDG_CACHE_HOME"];
  const base = xdg !== undefined && xdg !== "" ? xdg : join(homedir(), ".cache");
  return join(base, "wsgi-express");
}

/** Where the addon for this node and this source lives in the cache. */
export function addonPath(build: BuildEnvironment): string {
  const source = readFileSync(build.source ?? ADDON_SOURCE);
  const digest = createHash("sha256").update(source).digest("hex").slice(0, 16);
  const key = `node-abi${build.abi}-${process.platform}-${process.arch}-${digest}`;
  return join(cacheDirectory(build.env), "embedded", key, "wsgi_express_embedded.node");
}

/** The directory holding node_api.h: the running node's own headers (installed beside
 *  it by the official tarballs, nvm, Debian's nodejs), else the node-api-headers
 *  package's (a dependency: the npm registry's `node` package and some distributions'
 *  node come without headers); null when neither is there. */
export function nodeApiHeaders(
  execPath: string,
  packaged: string | null = packagedHeaders(),
): string | null {
  const own = join(dirname(execPath), "..", "include", "node");
  if (existsSync(join(own, "node_api.h"))) return own;
  return packaged;
}

function packagedHeaders(): string | null {
  try {
    const require = createRequire(import.meta.url);
    const found = dirname(require.resolve("node-api-headers/package.json"));
    const include = join(found, "include");
    return existsSync(join(include, "node_api.h")) ? include : null;
  } catch {
    return null;
  }
}

/** The addon's path, built first when the cache has none for this node and source. */
export async function ensureAddon(build: BuildEnvironment): Promise<string> {
  const target = addonPath(build);
  if (existsSync(target)) return target;
  const headers =
    build.packagedHeaders === undefined
      ? nodeApiHeaders(build.execPath)
      : nodeApiHeaders(build.execPath, build.packagedHeaders);
  if (headers === null) {
    throw new WsgiExpressError(
      "WSGIX_ERR_EMBEDDED_BUILD",
      `--embedded-mode: no Node-API headers (node_api.h) beside ${build.execPath}; install ` +
        "node's headers (the official node tarball or your distribution's nodejs-dev " +
        "package) or 'npm install node-api-headers'",
    );
  }
  const compiler = build.env["CC"] ?? "cc";
  build.say(
    `wsgi-express: building the embedded-mode addon for node ABI ${build.abi} with ` +
      `${compiler} (first use; cached in ${dirname(target)})`,
  );
  await mkdir(dirname(target), { recursive: true });
  // Built beside its final name and renamed into place: a concurrent start, or one
  // killed mid-build, never loads half a file.
  const partial = `${target}.${process.pid.toString()}.tmp`;
  const args = ["-shared", "-fPIC", "-O2", "-I", headers, "-o", partial];
  try {
    await compile(compiler, [...args, build.source ?? ADDON_SOURCE, "-ldl", "-lpthread"], build);
    await rename(partial, target);
  } finally {
    await rm(partial, { force: true });
  }
  return target;
}

function compile(compiler: string, args: string[], build: BuildEnvironment): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(compiler, args, { env: { ...build.env } }, (error, _stdout, stderr) => {
      if (error === null) {
        resolve();
        return;
      }
      const missing = (error as NodeJS.ErrnoException).code === "ENOENT";
      const why = missing
        ? `no C compiler '${compiler}' was found; install one (Debian/Ubuntu: ` +
          "'apt-get install gcc libc6-dev'; Fedora: 'dnf install gcc'; macOS: " +
          "'xcode-select --install') or name it in CC"
        : `'${compiler}' failed: ${firstLines(stderr)}`;
      reject(new WsgiExpressError("WSGIX_ERR_EMBEDDED_BUILD", `--embedded-mode: ${why}`));
    });
  });
}

function firstLines(text: string): string {
  const lines = text.split("\n").filter((line) => line.trim() !== "");
  return lines.slice(0, 3).join(" | ") || "no output";
}
