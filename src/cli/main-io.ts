import type { CliIo } from "../cli-io.js";
import type { Environment } from "../config/context.js";

/** The CLI's streams, environment and working directory; tests pass their own. */
export interface MainIo extends CliIo {
  readonly env: Environment;
  /** The command's working directory. */
  readonly cwd: string;
  /** The name the program was invoked by, for usage lines. */
  readonly programName?: string;
}
