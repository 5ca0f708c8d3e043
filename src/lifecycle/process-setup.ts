/**
 * What apachectl and httpd's root process do before children start: the process title,
 * the envvars file sourced into the environment every child inherits, a check that the
 * `--user`/`--group` exist (so a typo is refused at start-up, not in a crash loop), and
 * the directories those users need handed to them.
 */
import { execFile } from "node:child_process";
import { chown } from "node:fs/promises";
import { promisify } from "node:util";
import type { Identity, ServerConfig } from "../config/server-config.js";

const run = promisify(execFile);

/** Thrown for a start-up failure reported as one error line; the server exits 1. */
export class StartupError extends Error {}

export async function prepareProcess(config: ServerConfig): Promise<void> {
  if (config.control.processName !== null) process.title = config.control.processName;
  Object.assign(process.env, await sourceEnvvars(config.control.envvarsFile));
  const identity = config.daemons.identity;
  for (const service of config.services) await lookUp(config, service.identity);
  const ids = await lookUp(config, identity);
  if (ids !== null) {
    // The daemons connect to the socket and fill the egg cache after dropping root.
    await chown(config.socketDirectory, ids.uid, ids.gid);
    await chown(config.daemons.pythonEggs, ids.uid, ids.gid);
  }
}

/** The environment after `. envvars` in /bin/sh: what the file sets or changes. */
async function sourceEnvvars(file: string): Promise<Record<string, string>> {
  let output: string;
  try {
    ({ stdout: output } = await run("/bin/sh", ["-c", '. "$1" && env -0', "sh", file]));
  } catch (error) {
    throw new StartupError(`cannot source ${file}: ${(error as Error).message}`);
  }
  const changed: Record<string, string> = {};
  for (const entry of output.split("\0")) {
    const equals = entry.indexOf("=");
    if (equals <= 0) continue;
    const name = entry.slice(0, equals);
    const value = entry.slice(equals + 1);
    // The shell's own bookkeeping is not something the file set.
    if (name === "_" || name === "PWD" || name === "SHLVL" || name === "OLDPWD") continue;
    if (process.env[name] !== value) changed[name] = value;
  }
  return changed;
}

interface Ids {
  readonly uid: number;
  readonly gid: number;
}

const LOOK_UP = `
import grp, pwd, sys
user, group = sys.argv[1] or None, sys.argv[2] or None
try:
    entry = None if user is None else (pwd.getpwuid(int(user)) if user.isdigit() else pwd.getpwnam(user))
except (KeyError, ValueError):
    sys.exit("no such user: %r" % user)
try:
    gid = entry.pw_gid if group is None else (grp.getgrgid(int(group)).gr_gid if group.isdigit() else grp.getgrnam(group).gr_gid)
except (KeyError, ValueError):
    sys.exit("no such group: %r" % group)
print(0 if entry is None else entry.pw_uid, gid)
`;

/** The numbers of a user and group, asked of Python's pwd/grp (Node has no getpwnam). */
async function lookUp(config: ServerConfig, identity: Identity): Promise<Ids | null> {
  if (identity.user === null && identity.group === null) return null;
  try {
    const { stdout } = await run(config.daemons.python.executable, [
      "-c",
      LOOK_UP,
      identity.user ?? "",
      identity.group ?? "",
    ]);
    const [uid, gid] = stdout.trim().split(" ").map(Number);
    return { uid: uid ?? 0, gid: gid ?? 0 };
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim();
    const option = identity.user !== null ? "--user/--group" : "--group";
    throw new StartupError(`${option}: ${stderr || (error as Error).message}`);
  }
}
