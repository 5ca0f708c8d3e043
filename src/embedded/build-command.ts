/**
 * `wsgi-express build-embedded`: builds the embedded-mode addon now (into the cache,
 * as the first --embedded-mode start would), or says where the cached one is; for
 * images and deployments that build ahead of the first start.
 */
import type { CliIo } from "../cli-io.js";
import { isWsgiExpressError } from "../errors.js";
import { ensureAddon } from "./build.js";

export async function buildEmbeddedCommand(
  args: readonly string[],
  io: CliIo & { readonly env: Readonly<Record<string, string | undefined>> },
): Promise<number> {
  if (args.length > 0) {
    io.stdout.write(
      "Usage: wsgi-express build-embedded\n\nBuilds the --embedded-mode addon for this " +
        "node into the cache ($XDG_CACHE_HOME/wsgi-express, or ~/.cache/wsgi-express), " +
        "with $CC or cc.\n",
    );
    return args.includes("--help") || args.includes("-h") ? 0 : 2;
  }
  const build = {
    env: io.env,
    execPath: process.execPath,
    abi: process.versions.modules,
    say: (line: string) => io.stderr.write(`${line}\n`),
  };
  try {
    const path = await ensureAddon(build);
    io.stdout.write(`${path}\n`);
    return 0;
  } catch (error) {
    if (!isWsgiExpressError(error)) throw error;
    io.stderr.write(`wsgi-express: error: ${error.message}\n`);
    return error.exitCode;
  }
}
