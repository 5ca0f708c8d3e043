/**
 * A CGI script's environment: RFC 3875 §4.1's meta-variables, taken from the environ
 * the front end builds for a WSGI request (the same CGI variables mod_wsgi passes),
 * with what differs for a script: GATEWAY_INTERFACE, its SCRIPT_NAME, PATH_INFO and
 * PATH_TRANSLATED, SCRIPT_FILENAME, and PATH, as Apache's mod_cgi sets them.
 */
import { join } from "node:path";

export interface CgiScript {
  /** The script file, absolute. */
  readonly file: string;
  /** The URL path naming it, decoded. */
  readonly scriptName: string;
  /** The rest of the URL path, decoded ("" when none). */
  readonly pathInfo: string;
  readonly documentRoot: string;
}

/** Apache's default when it was started without a PATH (ap_add_common_vars). */
const DEFAULT_PATH = "/usr/local/bin:/usr/bin:/bin";

/** Upper case names only: `wsgi.*` and `mod_wsgi.*` are WSGI's, not CGI's. */
const META_VARIABLE = /^[A-Z][A-Z0-9_]*$/;

/**
 * Never passed: Authorization (Apache keeps credentials from scripts unless
 * CGIPassAuth is on) and Proxy (httpoxy, CVE-2016-5385: a client could set the
 * script's HTTP_PROXY).
 */
const WITHHELD = new Set(["HTTP_AUTHORIZATION", "HTTP_PROXY_AUTHORIZATION", "HTTP_PROXY"]);

export function cgiEnvironment(
  environ: Readonly<Record<string, string>>,
  script: CgiScript,
  path: string | undefined,
): Record<string, string> {
  const env: Record<string, string> = {};
  // for...in: the request's own keys and those of the listener's base it inherits.
  for (const key in environ) {
    const value = environ[key];
    if (META_VARIABLE.test(key) && !WITHHELD.has(key) && typeof value === "string") {
      env[key] = value;
    }
  }
  env.GATEWAY_INTERFACE = "CGI/1.1";
  env.SCRIPT_FILENAME = script.file;
  env.SCRIPT_NAME = script.scriptName;
  env.PATH = path ?? DEFAULT_PATH;
  if (script.pathInfo === "") {
    delete env.PATH_INFO;
    delete env.PATH_TRANSLATED;
  } else {
    env.PATH_INFO = script.pathInfo;
    // §4.1.6: the path info mapped as a document-root path would be.
    env.PATH_TRANSLATED = join(script.documentRoot, script.pathInfo);
  }
  return env;
}
