/**
 * --enable-gdb: the daemon's Python runs under gdb with a generated command file, so
 * that a crash in a C extension stops at the fault and prints a backtrace (mod_wsgi's
 * apachectl runs httpd the same way, with `<server-root>/gdb.cmds`).
 */
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ServerConfig } from "../config/server-config.js";

// The signals the front end and the daemon use between themselves pass straight
// through; after the program ends (or faults), print where it was and leave.
export const GDB_COMMANDS = [
  "set pagination off",
  "set confirm off",
  "handle SIGTERM nostop noprint pass",
  "handle SIGINT nostop noprint pass",
  "handle SIGUSR1 nostop noprint pass",
  "handle SIGPIPE nostop noprint pass",
  "run",
  "bt",
  "",
].join("\n");

/** The program and arguments that start a daemon: `command` itself, or gdb running it. */
export function debugCommand(config: ServerConfig, command: readonly string[]): [string, string[]] {
  const [file = "", ...args] = command;
  const gdb = config.debug.gdbExecutable;
  if (gdb === null) return [file, args];
  const commandsFile = join(config.serverRoot, "gdb.cmds");
  writeFileSync(commandsFile, GDB_COMMANDS);
  return [gdb, ["-q", "-batch", "-x", commandsFile, "--args", interpreter(file), ...args]];
}

/** gdb needs the interpreter's binary: a pyenv or asdf shim is a shell script. A venv's
 *  bin/python is its own sys.executable, so the venv still applies. */
function interpreter(python: string): string {
  try {
    const script = "import sys; print(sys.executable)";
    const found = execFileSync(python, ["-c", script], { encoding: "utf8", timeout: 15_000 });
    return found.trim() || python;
  } catch {
    return python;
  }
}
