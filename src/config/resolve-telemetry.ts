/**
 * `--enable-telemetry`, `--telemetry-service`, `--telemetry-interval`, `--slow-requests`
 * and `--telemetry-options` (reference options 82-89): the front end's own telemetry
 * (src/telemetry/). The checks follow mod_wsgi-express's: `--slow-requests` needs a
 * telemetry target and is not negative, the interval is at least 0.5 s (the least
 * WSGITelemetryInterval takes). Unlike there, `--enable-telemetry` and
 * `--telemetry-service` go together: the dashboard lives in the front end, not in a
 * service that takes the socket.
 */
import { isIP } from "node:net";
import { isAbsolute } from "node:path";
import { optionError, WsgiExpressError } from "../errors.js";
import type { OptionReader } from "./option-reader.js";
import { resolveHealth, type HealthConfig } from "./resolve-health.js";

/** Where samples go: node has no Unix datagram socket in core (dgram is UDP only), so
 *  `unix:` is a stream socket taking one JSON line a sample; `udp:` a datagram a sample. */
export type TelemetryTarget =
  | { readonly kind: "unix"; readonly path: string }
  | { readonly kind: "udp"; readonly host: string; readonly port: number };

export interface TelemetryConfig {
  /** `--enable-telemetry`: the dashboard and /metrics on 127.0.0.1:this port; null: off. */
  readonly uiPort: number | null;
  /** `--telemetry-service`; null: none. */
  readonly service: TelemetryTarget | null;
  /** `--telemetry-interval`, in seconds. */
  readonly intervalSeconds: number;
  /** `--slow-requests`, in seconds; null: slow requests are not recorded. */
  readonly slowRequestSeconds: number | null;
  /** `--telemetry-options +CaptureUserAgent`: slow-request records keep the User-Agent. */
  readonly captureUserAgent: boolean;
  /** `--telemetry-options +CaptureQueryString`: their paths keep the query string. */
  readonly captureQueryString: boolean;
}

const MIN_INTERVAL = 0.5;

/** The `--telemetry-options` words known here, as mod_wsgi's `+Name`/`-Name`. */
const OPTION_WORDS = ["CaptureUserAgent", "CaptureQueryString"] as const;

/** The server's own pages and figures: health checks, /server-status, telemetry. */
export function resolveMonitoring(options: OptionReader): {
  health: HealthConfig;
  telemetry: TelemetryConfig;
} {
  return { health: resolveHealth(options), telemetry: resolveTelemetry(options) };
}

export function resolveTelemetry(options: OptionReader): TelemetryConfig {
  const uiPort = options.flag("enable-telemetry") ? options.number("telemetry-ui-port") : null;
  const service = telemetryTarget(options.optionalString("telemetry-service"));
  const intervalSeconds = options.number("telemetry-interval");
  if (!(intervalSeconds >= MIN_INTERVAL)) {
    throw optionError(
      "WSGIX_ERR_OPTION_VALUE",
      "--telemetry-interval",
      `a number of seconds of at least ${MIN_INTERVAL}`,
      String(intervalSeconds),
    );
  }
  const slowRequestSeconds = options.optionalNumber("slow-requests");
  if (slowRequestSeconds !== null) {
    if (!(slowRequestSeconds >= 0)) {
      throw optionError(
        "WSGIX_ERR_OPTION_VALUE",
        "--slow-requests",
        "seconds >= 0",
        String(slowRequestSeconds),
      );
    }
    if (uiPort === null && service === null) {
      throw new WsgiExpressError(
        "WSGIX_ERR_OPTION_NEEDS",
        "--slow-requests needs a telemetry target: --enable-telemetry or --telemetry-service",
      );
    }
  }
  const words = telemetryOptions(options.list("telemetry-options"));
  return {
    uiPort,
    service,
    intervalSeconds,
    slowRequestSeconds,
    captureUserAgent: words.get("CaptureUserAgent") ?? false,
    captureQueryString: words.get("CaptureQueryString") ?? false,
  };
}

/** `unix:/absolute/path` or `udp:IP:PORT`. */
export function telemetryTarget(value: string | null): TelemetryTarget | null {
  if (value === null) return null;
  const expected = "'unix:/absolute/path' or 'udp:IP-ADDRESS:PORT'";
  if (value.startsWith("unix:")) {
    const path = value.slice("unix:".length);
    if (isAbsolute(path)) return { kind: "unix", path };
  } else if (value.startsWith("udp:")) {
    const rest = value.slice("udp:".length);
    const colon = rest.lastIndexOf(":");
    const host = rest.slice(0, colon).replace(/^\[(.*)\]$/, "$1");
    const port = Number(rest.slice(colon + 1));
    if (colon > 0 && isIP(host) !== 0 && Number.isInteger(port) && port > 0 && port < 65536) {
      return { kind: "udp", host, port };
    }
  }
  throw optionError("WSGIX_ERR_OPTION_VALUE", "--telemetry-service", expected, value);
}

/** Each value holds words `+Name` (on), `-Name` (off) or `Name` (on), the later winning. */
export function telemetryOptions(values: readonly string[]): Map<string, boolean> {
  const words = new Map<string, boolean>();
  for (const word of values.flatMap((value) => value.split(/\s+/)).filter(Boolean)) {
    const on = !word.startsWith("-");
    const name = word.replace(/^[+-]/, "");
    const known = OPTION_WORDS.find((known) => known.toLowerCase() === name.toLowerCase());
    if (known === undefined) {
      throw optionError(
        "WSGIX_ERR_OPTION_VALUE",
        "--telemetry-options",
        `+ or - followed by one of ${OPTION_WORDS.join(", ")}`,
        word,
      );
    }
    words.set(known, on);
  }
  return words;
}
