/** --trust-proxy-header / --trust-proxy: which forwarded headers are believed, and from
 *  which peers (reference §8.2). */
import { isIP } from "node:net";
import { optionError } from "../errors.js";
import { PROXY_HEADERS } from "./proxy-headers.js";
import type { OptionReader } from "./option-reader.js";
import type { ProxyConfig } from "./server-config.js";

export function resolveProxy(options: OptionReader): ProxyConfig {
  const headers = options.list("trust-proxy-header").map(trustedHeader);
  const proxies = options.list("trust-proxy").map(trustedProxy);
  // mod_wsgi trusts every client when headers are named without proxies (its docs say
  // the opposite): anyone could then set REMOTE_ADDR. Refuse that instead.
  if (headers.length > 0 && proxies.length === 0) {
    throw optionError(
      "WSGIX_ERR_OPTION_VALUE",
      "--trust-proxy-header",
      "at least one --trust-proxy IP-ADDRESS/SUBNET naming the proxies that set it",
      headers.join(", "),
    );
  }
  return { headers, proxies };
}

function trustedHeader(name: string): string {
  const lower = name.toLowerCase();
  if (lower in PROXY_HEADERS) return lower;
  throw optionError(
    "WSGIX_ERR_OPTION_VALUE",
    "--trust-proxy-header",
    `one of ${Object.keys(PROXY_HEADERS).join(", ")}`,
    name,
  );
}

function trustedProxy(value: string): string {
  const [address = "", prefix, extra] = value.split("/");
  const family = isIP(address);
  const bits = family === 4 ? 32 : 128;
  const prefixOk = prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= bits);
  if (family === 0 || !prefixOk || extra !== undefined) {
    throw optionError(
      "WSGIX_ERR_OPTION_VALUE",
      "--trust-proxy",
      "an IP address or a subnet such as 10.0.0.0/8",
      value,
    );
  }
  return value;
}
