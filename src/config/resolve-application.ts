/**
 * The WSGI application: its entry point (`--entry-point` wins over SCRIPT), callable,
 * working directory, sys.path additions, mount point and the group names.
 */
import { optionError } from "../errors.js";
import type { ResolveContext } from "./context.js";
import type { OptionReader } from "./option-reader.js";
import { hostAndPort } from "./resolve-listen.js";
import { existingDirectory, existingFile } from "./resolve-paths.js";
import type { ApplicationConfig, ListenConfig } from "./server-config.js";

type ApplicationType = ApplicationConfig["type"];

export function resolveApplication(
  options: OptionReader,
  listen: ListenConfig,
  context: ResolveContext,
): ApplicationConfig {
  const type = resolveType(options.string("application-type"));
  const given = options.optionalString("working-directory");
  return {
    type,
    entryPoint: resolveEntryPoint(options, type, context),
    callableObject: resolveCallable(options.string("callable-object")),
    workingDirectory:
      given === null ? context.cwd : existingDirectory("--working-directory", given, context),
    pythonPaths: options
      .list("python-path")
      .map((path) => existingDirectory("--python-path", path, context)),
    mountPoint: normalizeMountPoint(options.string("mount-point")),
    // mod_wsgi: an application in embedded mode belongs to no process group.
    processGroup: options.flag("embedded-mode")
      ? ""
      : (options.optionalString("process-group") ?? hostAndPort(listen)),
    applicationGroup: resolveApplicationGroup(options.string("application-group")),
  };
}

function resolveType(type: string): ApplicationType {
  if (type === "script" || type === "module" || type === "paste" || type === "static") {
    return type;
  }
  throw optionError(
    "WSGIX_ERR_OPTION_VALUE",
    "--application-type",
    "script, module, paste or static",
    type,
  );
}

function resolveEntryPoint(
  options: OptionReader,
  type: ApplicationType,
  context: ResolveContext,
): string | null {
  const fromOption = options.optionalString("entry-point");
  const entry = fromOption ?? options.script;
  // static: SCRIPT is the document root (resolve-site.ts), and there is no application.
  if (entry === null || type === "static") return null;
  const option = fromOption === null ? "SCRIPT" : "--entry-point";
  if (type === "script") return existingFile(option, entry, "WSGI script file", context);
  // mod_wsgi-express: paste.deploy.loadapp('config:<absolute path>').
  if (type === "paste") return existingFile(option, entry, "Paste Deploy .ini file", context);
  if (!MODULE_NAME.test(entry)) {
    throw optionError("WSGIX_ERR_OPTION_VALUE", option, "a Python module name", entry);
  }
  return entry;
}

const MODULE_NAME = /^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$/;
const IDENTIFIER = /^[A-Za-z_]\w*$/;

function resolveCallable(name: string): string {
  if (IDENTIFIER.test(name)) return name;
  throw optionError("WSGIX_ERR_OPTION_VALUE", "--callable-object", "a Python name", name);
}

/** Starts with `/`, no empty segments, no trailing `/` unless it is `/` itself. */
export function normalizeMountPoint(given: string): string {
  if (!given.startsWith("/")) {
    throw optionError(
      "WSGIX_ERR_OPTION_VALUE",
      "--mount-point",
      "a URL path starting with /",
      given,
    );
  }
  return `/${given.split("/").filter(Boolean).join("/")}`;
}

/** `%{GLOBAL}` (the default) is the main interpreter, which ApplicationConfig writes "";
 *  a name is a sub-interpreter of that name in each daemon (resolve-interpreter.ts checks
 *  the Python can). mod_wsgi's per-request `%{ENV:VAR}` is refused: here each daemon
 *  thread's connection is served inside one interpreter, so a request cannot choose. */
function resolveApplicationGroup(group: string): string {
  if (group === "%{GLOBAL}") return "";
  if (group.trim() === "" || group.includes("%{")) {
    throw optionError(
      "WSGIX_ERR_OPTION_VALUE",
      "--application-group",
      "%{GLOBAL} or a name (a group chosen per request, %{ENV:VAR}, is not supported)",
      group,
    );
  }
  return group;
}
