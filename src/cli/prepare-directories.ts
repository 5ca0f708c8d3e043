/**
 * Creates the server root, the log directory, the request and response spools and the debug
 * features' directories if they are missing: the one piece of start-up I/O the CLI does
 * itself, so that the error names the option responsible.
 */
import { optionError } from "../errors.js";
import { makeDirectories } from "../make-directories.js";
import type { ServerConfig } from "../config/server-config.js";

/** Creates a directory and its parents; throws if that is impossible. */
export type MakeDirectory = (path: string) => void;

export const makeDirectory: MakeDirectory = makeDirectories;

export function prepareDirectories(config: ServerConfig, make: MakeDirectory): void {
  create("--server-root", config.serverRoot, make);
  // mod_wsgi-express creates the default document root (<server-root>/htdocs) empty.
  if (config.site.defaultDocumentRoot) create("--document-root", config.site.documentRoot, make);
  // Request bodies are spooled there (request-spool.ts), by the front end alone.
  if (config.http.bodySpoolSize > 0) create("--server-root", config.http.bodySpoolDirectory, make);
  // And responses to slow clients (response-spool.ts).
  if (config.http.responseSpoolSize > 0) {
    create("--server-root", config.http.responseSpoolDirectory, make);
  }
  if (config.logging.logDirectory !== config.serverRoot) {
    create("--log-directory", config.logging.logDirectory, make);
  }
  // The daemons write the debug features' output there. Made here, a directory that
  // cannot be is refused at once; a daemon failing to make it was restarted again and
  // again. Daemons that drop to --user/--group make their own, owned by that user.
  const { identity } = config.daemons;
  if (identity.user !== null || identity.group !== null) return;
  const debug = config.debug;
  for (const [option, path] of [
    ["--coverage-directory", debug.coverageDirectory],
    ["--profiler-directory", debug.profilerDirectory],
    ["--recorder-directory", debug.recorderDirectory],
  ] as const) {
    if (path !== null) create(option, path, make);
  }
}

function create(option: string, path: string, make: MakeDirectory): void {
  try {
    make(path);
  } catch (error) {
    const reason = error instanceof Error ? ` (${error.message})` : "";
    throw optionError(
      "WSGIX_ERR_CREATE_DIRECTORY",
      option,
      `a directory that exists or can be created${reason}`,
      path,
    );
  }
}
