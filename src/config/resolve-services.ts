/** `--service-script NAME PATH` and the per-service user, group and log file (§4). */
import { join } from "node:path";
import { optionError } from "../errors.js";
import type { ResolveContext } from "./context.js";
import { existingFile } from "./resolve-paths.js";
import type { OptionReader } from "./option-reader.js";
import { identityFrom } from "./resolve-process.js";
import type { Identity, ServiceConfig } from "./server-config.js";

export function resolveServices(
  options: OptionReader,
  logDirectory: string,
  identity: Identity,
  context: ResolveContext,
): ServiceConfig[] {
  const scripts = options.pairs("service-script");
  const names = new Set(scripts.map(([name]) => name));
  const byName = (option: string): Map<string, string> => {
    const found = new Map<string, string>();
    for (const [name, value] of options.pairs(option)) {
      if (!names.has(name)) {
        throw optionError(
          "WSGIX_ERR_OPTION_VALUE",
          `--${option}`,
          "the NAME of a --service-script",
          name,
        );
      }
      found.set(name, value);
    }
    return found;
  };
  const users = byName("service-user");
  const groups = byName("service-group");
  const logs = byName("service-log-file");
  const seen = new Set<string>();
  return scripts.map(([name, script]) => {
    if (seen.has(name)) {
      throw optionError("WSGIX_ERR_OPTION_VALUE", "--service-script", "a new service NAME", name);
    }
    seen.add(name);
    const log = logs.get(name);
    return {
      name,
      script: existingFile("--service-script", script, "service script", context),
      logFile: log === undefined ? null : join(logDirectory, log),
      identity: identityFrom(
        users.get(name) ?? identity.user,
        groups.get(name) ?? identity.group,
        context,
      ),
    };
  });
}
