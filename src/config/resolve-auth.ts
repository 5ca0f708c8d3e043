/**
 * `--host-access-script`, `--auth-user-script`, `--auth-type`, `--auth-group-script` and
 * `--auth-group`: the hook scripts mod_wsgi-express applies to the whole site
 * (`<Location />` with WSGIAccessScript, WSGIAuthUserScript and `Require wsgi-group`;
 * reference §6.7). Run by the front door's auth gate (src/auth/).
 */
import { optionError } from "../errors.js";
import type { AuthConfig } from "./auth-config.js";
import type { ResolveContext } from "./context.js";
import type { OptionReader } from "./option-reader.js";
import { hostAndPort } from "./resolve-listen.js";
import { existingFile } from "./resolve-paths.js";
import type { ListenConfig } from "./server-config.js";

export function resolveAuth(
  options: OptionReader,
  listen: ListenConfig,
  context: ResolveContext,
): AuthConfig {
  const script = (option: string): string | null => {
    const given = options.optionalString(option);
    return given === null ? null : existingFile(`--${option}`, given, "Python script", context);
  };
  const userScript = script("auth-user-script");
  const groupScript = script("auth-group-script");
  // mod_wsgi-express nests the group check inside the user check's <Location>, so a
  // group script alone would silently protect nothing: refused instead.
  if (groupScript !== null && userScript === null) {
    throw optionError(
      "WSGIX_ERR_OPTION_NEEDS",
      "--auth-group-script",
      "--auth-user-script too (groups are checked for an authenticated user)",
      groupScript,
    );
  }
  return {
    hostAccessScript: script("host-access-script"),
    userScript,
    type: options.string("auth-type") === "Digest" ? "Digest" : "Basic",
    realm: hostAndPort(listen),
    groupScript,
    group: options.string("auth-group"),
  };
}
