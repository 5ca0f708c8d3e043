/** The production FileChecks: synchronous stat/access calls, fine at start-up. */
import { accessSync, constants, statSync } from "node:fs";
import type { FileChecks } from "./context.js";

function stat(path: string): ReturnType<typeof statSync> | undefined {
  return statSync(path, { throwIfNoEntry: false });
}

export const nodeFileChecks: FileChecks = {
  exists: (path) => stat(path) !== undefined,
  isFile: (path) => stat(path)?.isFile() ?? false,
  isDirectory: (path) => stat(path)?.isDirectory() ?? false,
  isExecutable: (path) => {
    try {
      accessSync(path, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  },
};
