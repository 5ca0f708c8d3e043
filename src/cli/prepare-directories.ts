/**
 * Creates the server root, the log directory, the request and response spools and the debug
 * features' directories if they are missing: the one piece of start-up I/O the CLI does
 * itself, so that the error names the option responsible.
 */
import { accessSync, constants } from "node:fs";
import { optionError } from "../errors.js";
import { makeDirectories } from "../make-directories.js";
import type { ServerConfig } from "../config/server-config.js";

/** Creates a directory and its parents, then, if `writable`, checks that this user may
 *  write there; throws if either fails. */
export type MakeDirectory = (path: string, writable: boolean) => void;

export const makeDirectory: MakeDirectory = (path, writable) => {
  makeDirectories(path);
  // access(2) answers for this process's user; root passes, as root may write anywhere.
  if (writable) accessSync(path, constants.W_OK | constants.X_OK);
};

export function prepareDirectories(config: ServerConfig, make: MakeDirectory): void {
  // The server writes its control files, sockets, spools and (by default) logs there.
  create("--server-root", config.serverRoot, make, true);
  // mod_wsgi-express creates the default document root (<server-root>/htdocs) empty. It
  // is only read; one the user did not give is the server root's business.
  if (config.site.defaultDocumentRoot) create("--server-root", config.site.documentRoot, make);
  // Request bodies are spooled there (request-spool.ts), by the front end alone.
  if (config.http.bodySpoolSize > 0) {
    create("--server-root", config.http.bodySpoolDirectory, make, true);
  }
  // And responses to slow clients (response-spool.ts).
  if (config.http.responseSpoolSize > 0) {
    create("--server-root", config.http.responseSpoolDirectory, make, true);
  }
  if (config.logging.logDirectory !== config.serverRoot) {
    create("--log-directory", config.logging.logDirectory, make, true);
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
    if (path !== null) create(option, path, make, true);
  }
}

function create(option: string, path: string, make: MakeDirectory, writable = false): void {
  try {
    make(path, writable);
  } catch (error) {
    const reason = error instanceof Error ? ` (${error.message})` : "";
    const what = writable
      ? "a directory this user can create or write to"
      : "a directory that exists or can be created";
    throw optionError("WSGIX_ERR_CREATE_DIRECTORY", option, `${what}${reason}`, path);
  }
}
