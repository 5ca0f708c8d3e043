/**
 * THE option table: every `mod_wsgi-express start-server` option (6.0.5, all 152; see
 * docs/reference §1.0), plus our own `--python-executable` and the seed's `--service-log`
 * spelling. Parsing, `--help`, value validation and the docs' option list are all
 * generated from it; it is never duplicated by hand (STYLE.md, practice 2).
 * Defaults are mod_wsgi-express's own.
 */
import { row } from "./row.js";
import type { OptionSpec } from "./spec.js";
import { TABLE_CONTAINERS } from "./table-containers.js";
import { TABLE_HTTP_LIMITS } from "./table-http-limits.js";
import { TABLE_NETWORK } from "./table-network.js";
import { TABLE_SERVER } from "./table-server.js";

/** Ours, not mod_wsgi-express's: the interpreter the daemons run, memory limits, the
 *  request and response spools. */
// prettier-ignore
const TABLE_OURS: readonly OptionSpec[] = [
  row("python-executable", "path", "PATH", "yes", { group: "python", defaultText: "$VIRTUAL_ENV/bin/python, else python3 on PATH" },
    "Python interpreter (3.9+) for the daemon processes, or a virtual environment directory (its bin/python is used)."),
  row("memory-limit", "integer", "BYTES", "yes", { group: "processes", default: 0 },
    "Restart a daemon process (with --embedded-mode, a worker process: node's memory and Python's) gracefully once its resident memory (RSS) passes this many bytes; checked every second; 0 means no limit. (mod_wsgi's memory-limit= is RLIMIT_DATA, which only makes allocations fail.)"),
  row("virtual-memory-limit", "integer", "BYTES", "yes", { group: "processes", default: 0 },
    "RLIMIT_AS of each daemon process, as mod_wsgi's virtual-memory-limit=: allocations past it fail (MemoryError, a 500); 0 means no limit."),
  row("body-spool-size", "integer", "BYTES", "yes", { group: "requests", default: 268435456 },
    "Request bodies over 64 KiB, and chunked ones, are read into unlinked files in the server root (request-bodies/; where /tmp is a tmpfs, as for the default server root on many systems, that is memory) before the application is called, so a slow upload never holds a daemon thread; this caps the bytes spooled at once, past which bodies stream to the application as they arrive. 0 streams every body, for applications that handle uploads as they come in. A body sent with Expect: 100-continue always streams, so the application still decides whether it is sent."),
  row("response-spool-size", "integer", "BYTES", "yes", { group: "requests", default: 268435456 },
    "A response that a client reads more slowly than the application writes it goes on into an unlinked file in the server root (response-bodies/; memory where /tmp is a tmpfs) once --response-buffer-size bytes wait for the client, so the daemon thread is free for the next request while the client reads the rest at its own pace; this caps the bytes spooled at once, past which the application waits for the client. 0 makes the application always wait, as under mod_wsgi."),
  row("response-memory-size", "integer", "BYTES", "yes", { group: "requests", default: 67108864 },
    "Most response bytes held in memory for clients that read more slowly than the application writes, across all responses. Past it, a client that falls behind gets the rest of its response from the response spool (or the application waits for it) without waiting for --response-buffer-size to fill. A response the application has finished no longer counts towards --max-clients while its client reads the rest, so this is what bounds the memory that clients who never read can hold."),
];

/** Every option, in mod_wsgi-express's order, then ours. */
export const OPTIONS: readonly OptionSpec[] = Object.freeze([
  ...TABLE_NETWORK,
  ...TABLE_SERVER,
  ...TABLE_OURS,
  ...TABLE_CONTAINERS,
  ...TABLE_HTTP_LIMITS,
]);

const BY_NAME: ReadonlyMap<string, OptionSpec> = new Map(OPTIONS.map((spec) => [spec.name, spec]));

/** The row for a long option name (without dashes), if there is one. */
export function findOption(name: string): OptionSpec | undefined {
  return BY_NAME.get(name);
}

/** Every name that may follow `--`, for matching abbreviations as optparse does. */
export const LONG_NAMES: readonly string[] = [...OPTIONS.map((spec) => spec.name), "help"];
