/**
 * setup-server's work (and start-server's first step, as mod_wsgi-express runs
 * setup_server() then apachectl): the saved configuration, the control script, the
 * envvars file and the egg cache, written into the server root.
 */
import { chmodSync, existsSync, renameSync, writeFileSync } from "node:fs";
import { makeDirectories } from "../make-directories.js";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ServerConfig } from "../config/server-config.js";
import { controlScript, shellQuote } from "./control-script.js";
import { statusTarget } from "./status-command.js";

/** bin/wsgi-express.js of this package (dist/src/setup -> package root). */
export const BIN_SCRIPT = fileURLToPath(new URL("../../../bin/wsgi-express.js", import.meta.url));

/** The saved configuration: what the control script runs, for people and tools to read. */
export const SAVED_CONFIG = "wsgi-express.json";

export interface SetupInputs {
  /** start-server's options as given (expanded, without the sub-command). */
  readonly args: readonly string[];
  readonly cwd: string;
}

export function writeServerRoot(config: ServerConfig, inputs: SetupInputs): void {
  const root = config.serverRoot;
  // --setup-only is what made this a setup; the control script must start for real.
  // The server root is pinned, as the default one depends on the pid with --port 0.
  const args = [...inputs.args.filter((word) => word !== "--setup-only"), "--server-root", root];
  const script = {
    node: process.execPath,
    bin: BIN_SCRIPT,
    cwd: inputs.cwd,
    serverRoot: root,
    pidFile: config.pidFile,
    args,
  };
  writeAtomically(join(root, SAVED_CONFIG), `${JSON.stringify(script, null, 2)}\n`, 0o644);
  // Replaced by rename, never rewritten in place: a shell may be reading the old one.
  const status = config.health.serverStatus ? statusTarget(config.listen) : null;
  writeAtomically(config.control.controlScript, controlScript({ ...script, status }), 0o755);
  writeEnvvars(config);
  makeDirectories(config.daemons.pythonEggs);
}

/** Empty if absent, so users can edit it and keep their edits (mod_wsgi-express). */
function writeEnvvars(config: ServerConfig): void {
  const { envvarsFile, envvarsScript } = config.control;
  if (envvarsScript !== null) {
    writeFileSync(envvarsFile, `. ${shellQuote(envvarsScript)}\n`);
  } else if (!existsSync(envvarsFile)) {
    writeFileSync(envvarsFile, "");
  }
}

function writeAtomically(path: string, text: string, mode: number): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, text, { mode });
  chmodSync(temporary, mode);
  renameSync(temporary, path);
}
