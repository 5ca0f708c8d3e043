/**
 * The server process and the identity and surroundings of its Python processes: the pid
 * file, the control script, envvars, `--user`/`--group`, locale, egg cache, warnings.
 */
import { join, resolve } from "node:path";
import type { ResolveContext } from "./context.js";
import type { OptionReader } from "./option-reader.js";
import type { ControlConfig, Identity } from "./server-config.js";

export interface ProcessSettings {
  readonly pidFile: string;
  readonly control: ControlConfig;
  readonly identity: Identity;
  readonly pythonWarnings: readonly string[];
  readonly pythonEggs: string;
  /** LANG, LC_ALL and PYTHON_EGG_CACHE for every Python process. */
  readonly environment: Readonly<Record<string, string>>;
}

export function resolveProcess(
  options: OptionReader,
  serverRoot: string,
  context: ResolveContext,
): ProcessSettings {
  const path = (name: string, fallback: string): string => {
    const given = options.optionalString(name);
    return given === null ? fallback : resolve(context.cwd, given);
  };
  const pythonEggs = path("python-eggs", join(serverRoot, "python-eggs"));
  const locale = resolveLocale(options, context);
  return {
    pidFile: path("pid-file", join(serverRoot, "httpd.pid")),
    control: {
      processName: options.optionalString("process-name"),
      envvarsFile: join(serverRoot, "envvars"),
      envvarsScript: options.given("envvars-script") ? path("envvars-script", "") : null,
      controlScript: join(serverRoot, "apachectl"),
    },
    identity: identityFrom(
      options.optionalString("user"),
      options.optionalString("group"),
      context,
    ),
    pythonWarnings: options.list("python-warnings"),
    pythonEggs,
    environment: { LANG: locale, LC_ALL: locale, PYTHON_EGG_CACHE: pythonEggs },
  };
}

/** mod_wsgi applies --user/--group (and the service ones) only when started as root. */
export function identityFrom(
  user: string | null,
  group: string | null,
  context: ResolveContext,
): Identity {
  return context.uid === 0 ? { user, group } : { user: null, group: null };
}

/**
 * `--locale`, else the old `--lang`, else the inherited locale; an inherited C/POSIX
 * locale becomes a UTF-8 one as mod_wsgi-express does. It tries en_US.UTF-8 then
 * C.UTF-8; C.UTF-8 is the one every glibc (2.35+) and musl system has, so it is used
 * without asking the system which locales exist.
 */
function resolveLocale(options: OptionReader, context: ResolveContext): string {
  const given = options.optionalString("locale") ?? options.optionalString("lang");
  if (given !== null) return given;
  const inherited = context.env["LC_ALL"] || context.env["LANG"] || "";
  return inherited === "" || inherited === "C" || inherited === "POSIX" ? "C.UTF-8" : inherited;
}
