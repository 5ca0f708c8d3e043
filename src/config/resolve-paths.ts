/** Checks of paths named by options; each error names the option and the value given. */
import { resolve } from "node:path";
import { optionError } from "../errors.js";
import type { ResolveContext } from "./context.js";

/** `given` made absolute against the cwd; it must be an existing directory. */
export function existingDirectory(option: string, given: string, context: ResolveContext): string {
  const path = resolve(context.cwd, given);
  if (!context.files.isDirectory(path)) {
    throw optionError("WSGIX_ERR_NOT_A_DIRECTORY", option, "an existing directory", given);
  }
  return path;
}

/** `given` made absolute against the cwd; it must be an existing file. */
export function existingFile(
  option: string,
  given: string,
  what: string,
  context: ResolveContext,
): string {
  const path = resolve(context.cwd, given);
  if (!context.files.isFile(path)) {
    throw optionError("WSGIX_ERR_MISSING_FILE", option, `an existing ${what}`, given);
  }
  return path;
}
