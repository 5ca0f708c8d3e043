/**
 * The control script's `status`: prints the running server's /server-status?auto
 * (--server-status), as mod_wsgi-express's apachectl shows Apache's mod_status page
 * (reference §2.3: it opens a browser there; a terminal gets the text). Fetched with the
 * node that runs the server, so curl or lynx need not be installed.
 */
import type { ListenConfig } from "../config/server-config.js";
import { shellQuote } from "./shell-quote.js";

export interface StatusTarget {
  /** Where the status page answers: the page allows only loopback clients, so a
   *  server on every interface (or on loopback) is asked on 127.0.0.1. */
  readonly host: string;
  /** --port; 0: the port is read from the banner in the script's output file. */
  readonly port: number;
}

const LOOPBACK_OR_ANY = /^(localhost|0\.0\.0\.0|::|127\.\d+\.\d+\.\d+)$/;

export function statusTarget(listen: Pick<ListenConfig, "host" | "port">): StatusTarget {
  const host = listen.host;
  if (host === null || LOOPBACK_OR_ANY.test(host)) return { host: "127.0.0.1", port: listen.port };
  return { host: host.includes(":") ? `[${host}]` : host, port: listen.port };
}

/** Prints the page and exits 0 on 200; says why on stderr and exits 1 otherwise. */
const FETCH = `const url = process.argv[1];
const req = require("http").get(url, (res) => {
  res.pipe(process.stdout);
  res.on("end", () => {
    if (res.statusCode === 200) return;
    console.error("wsgi-express: " + url + " answered " + res.statusCode);
    process.exitCode = 1;
  });
});
req.setTimeout(10000, () => req.destroy(new Error("no answer in 10 seconds")));
req.on("error", (error) => {
  console.error("wsgi-express: " + url + ": " + error.message);
  process.exitCode = 1;
});`;

export function statusFunction(node: string, target: StatusTarget | null): string {
  if (target === null) {
    return `server_status() {
    echo "wsgi-express: status needs --server-status; run setup-server again with it" >&2
    return 1
}
`;
  }
  // --port 0: the port the server printed in its banner (Server URL) when it started.
  const port =
    target.port !== 0
      ? `port=${target.port}`
      : `port=$(sed -n 's|^Server URL *: .*:\\([0-9][0-9]*\\)/.*$|\\1|p' "$OUTPUT" 2>/dev/null | tail -n 1)`;
  return `server_status() {
    if ! server_pid >/dev/null; then
        echo "wsgi-express: not running" >&2
        return 1
    fi
    ${port}
    if [ -z "$port" ]; then
        echo "wsgi-express: the server's port is not in $OUTPUT" >&2
        return 1
    fi
    ${shellQuote(node)} -e ${shellQuote(FETCH)} "http://${target.host}:$port/server-status?auto"
}
`;
}
