/**
 * Creates the server root and the log directory if they are missing: the one piece of
 * start-up I/O the CLI does itself, so that the error names the option responsible.
 */
import { optionError } from "../errors.js";
import { makeDirectories } from "../make-directories.js";
import type { ServerConfig } from "../config/server-config.js";

/** Creates a directory and its parents; throws if that is impossible. */
export type MakeDirectory = (path: string) => void;

export const makeDirectory: MakeDirectory = (path) => {
  makeDirectories(path);
};

export function prepareDirectories(config: ServerConfig, make: MakeDirectory): void {
  create("--server-root", config.serverRoot, make);
  // mod_wsgi-express creates the default document root (<server-root>/htdocs) empty.
  if (config.site.defaultDocumentRoot) create("--document-root", config.site.documentRoot, make);
  if (config.logging.logDirectory !== config.serverRoot) {
    create("--log-directory", config.logging.logDirectory, make);
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
