/**
 * Document-root files that are run (static/resources.ts found them): an `--add-handler`
 * file goes to the daemons with the environ mod_wsgi gives a WSGIHandlerScript request,
 * a `.cgi` file is run by src/cgi/. A CGI script's local redirect (RFC 3875 §6.2.2) is
 * served as Apache's internal redirect: a GET without a body, at most
 * LimitInternalRecursion (10) deep.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { ServerConfig } from "../config/server-config.js";
import { cgiEnvironment } from "../cgi/cgi-environ.js";
import { runCgi, type CgiSettings } from "../cgi/cgi-runner.js";
import type { Environ } from "../exchange/environ.js";
import type { ErrorSender } from "../http/error-pages.js";
import type { ErrorLog } from "../log/error-log.js";
import type { LogLevel } from "../log-levels.js";
import type { Resource } from "../static/resources.js";

/** Apache's LimitInternalRecursion default. */
const MAX_REDIRECTS = 10;

/**
 * A request for a handler's file: the handler script runs instead of the application
 * (`mod_wsgi.handler_script`, which the daemon runtime reads: docs/protocol.md), with
 * SCRIPT_NAME the file's URL, PATH_INFO what follows it and SCRIPT_FILENAME the file,
 * as mod_wsgi sets them for a handler (the resource is r->filename).
 */
export function handlerEnviron(environ: Environ, resource: Resource): void {
  environ.SCRIPT_NAME = resource.scriptName;
  environ.PATH_INFO = resource.pathInfo;
  environ.SCRIPT_FILENAME = resource.file;
  environ["mod_wsgi.script_name"] = resource.scriptName;
  environ["mod_wsgi.path_info"] = resource.pathInfo;
  environ["mod_wsgi.handler_script"] = resource.script ?? "";
  // mod_wsgi-express's AddHandler name for --add-handler files.
  environ["mod_wsgi.request_handler"] = "wsgi-resource";
}

/** What node's checkContinue saw: a client waiting for 100 before its body. */
export function expectsContinue(req: IncomingMessage): boolean {
  return req.httpVersion !== "1.0" && /100-continue/i.test(req.headers.expect ?? "");
}

const redirects = new WeakMap<ServerResponse, number>();

/** Whether this response is a CGI local redirect's: its request has no body left. */
export function isRedirected(res: ServerResponse): boolean {
  return redirects.has(res);
}

export interface CgiStage {
  readonly settings: Omit<CgiSettings, "redirect">;
  /** Serves `req` (a GET view for the redirect's path) through the site and the app. */
  readonly serve: (req: IncomingMessage, res: ServerResponse) => void;
}

/** The CGI stage with --with-cgi, else null. */
export function cgiStage(
  config: ServerConfig,
  errorLog: ErrorLog,
  sendError: ErrorSender,
  serve: CgiStage["serve"],
): CgiStage | null {
  const { cgi } = config.site.features;
  if (cgi === null) return null;
  const log = (level: LogLevel, message: string): void => {
    errorLog.log(level, message);
  };
  const limitRequestBody = config.http.limitRequestBody;
  return { settings: { timeout: cgi.timeout, limitRequestBody, log, sendError }, serve };
}

/** Runs a `.cgi` resource; `environ` is the one the request would have for the app. */
export function runCgiResource(
  config: ServerConfig,
  stage: CgiStage,
  request: { req: IncomingMessage; res: ServerResponse; environ: Environ },
  resource: Resource,
): void {
  const { req, res, environ } = request;
  const env = cgiEnvironment(
    environ,
    { ...resource, documentRoot: config.site.documentRoot },
    process.env.PATH,
  );
  const settings: CgiSettings = {
    ...stage.settings,
    redirect: (from, to, path) => {
      const depth = (redirects.get(to) ?? 0) + 1;
      if (depth > MAX_REDIRECTS) {
        stage.settings.log("error", `more than ${MAX_REDIRECTS} local redirects from CGI scripts`);
        stage.settings.sendError(to, 500);
        return;
      }
      redirects.set(to, depth);
      stage.serve(redirectView(from, path), to);
    },
  };
  // A redirected request's body went to the first script.
  void runCgi(req, res, resource.file, env, settings, !redirects.has(res));
}

/** The request as the redirect's GET of `path`: the same connection and headers. */
function redirectView(req: IncomingMessage, path: string): IncomingMessage {
  return Object.create(req, {
    url: { value: path },
    method: { value: "GET" },
  }) as IncomingMessage;
}
