/** A Python child's stdout and stderr, line by line, into a log (mod_wsgi sends a
 *  daemon's output, print() and tracebacks included, to the error log). */
import type { ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import type { ErrorLog } from "../log/error-log.js";

export function logChildOutput(child: ChildProcess, log: ErrorLog): void {
  const pid = child.pid ?? 0;
  for (const stream of [child.stdout, child.stderr]) {
    if (stream) {
      createInterface({ input: stream }).on("line", (line) => {
        log.daemonOutput(pid, line);
      });
    }
  }
}
