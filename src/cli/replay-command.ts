/**
 * `wsgi-express replay DIRECTORY URL`: the recorder's requests (--enable-recorder) sent
 * again to the server at URL; each response that differs is reported (src/debug/).
 */
import { statSync } from "node:fs";
import { resolve } from "node:path";
import { replay } from "../debug/replay.js";
import { WsgiExpressError, optionError } from "../errors.js";
import type { MainIo } from "./main-io.js";

const USAGE = "Usage: wsgi-express replay DIRECTORY URL\n";

export async function replayCommand(words: readonly string[], io: MainIo): Promise<number> {
  if (words.includes("--help") || words.includes("-h")) {
    io.stdout.write(
      USAGE +
        "\nSend the requests recorded by --enable-recorder in DIRECTORY to the server at URL" +
        "\nand report each response whose status or body differs from the recorded one.\n",
    );
    return 0;
  }
  const [directory, url, ...extra] = words;
  if (directory === undefined || url === undefined) {
    throw new WsgiExpressError(
      "WSGIX_ERR_MISSING_ARGUMENT",
      `replay: expected DIRECTORY and URL, got ${words.length} argument(s)`,
    );
  }
  if (extra.length > 0) {
    throw new WsgiExpressError(
      "WSGIX_ERR_UNEXPECTED_ARGUMENT",
      `replay: expected DIRECTORY and URL only, got also '${extra.join(" ")}'`,
    );
  }
  const path = resolve(io.cwd, directory);
  if (!isDirectory(path)) {
    throw optionError(
      "WSGIX_ERR_NOT_A_DIRECTORY",
      "replay DIRECTORY",
      "a recorder directory",
      directory,
    );
  }
  if (!/^https?:\/\//.test(url) || !URL.canParse(url)) {
    throw optionError("WSGIX_ERR_OPTION_VALUE", "replay URL", "an http:// URL", url);
  }
  return replay(path, url, io.stdout);
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
