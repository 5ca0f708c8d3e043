/** `--liveness-path`, `--readiness-path`, `--shutdown-delay`: what a container
 *  orchestrator asks of the server itself (docs/containers.md); and `--server-status`,
 *  the other page the front end answers itself. */
import { optionError } from "../errors.js";
import type { OptionReader } from "./option-reader.js";

export interface HealthConfig {
  /** Answered 200 by the front end while it runs; null: not answered. */
  readonly livenessPath: string | null;
  /** Answered 200 once a daemon has loaded the app, 503 before and while draining. */
  readonly readinessPath: string | null;
  /** Seconds a stop signal leaves the listener open, readiness answering 503. */
  readonly shutdownDelay: number;
  /** `--server-status`: /server-status answered to localhost (front-door/server-status.ts). */
  readonly serverStatus: boolean;
}

export function resolveHealth(options: OptionReader): HealthConfig {
  const livenessPath = probePath("liveness-path", options.optionalString("liveness-path"));
  const readinessPath = probePath("readiness-path", options.optionalString("readiness-path"));
  if (livenessPath !== null && livenessPath === readinessPath) {
    throw optionError(
      "WSGIX_ERR_OPTION_VALUE",
      "--readiness-path",
      "a path other than --liveness-path's",
      readinessPath,
    );
  }
  return {
    livenessPath,
    readinessPath,
    shutdownDelay: options.number("shutdown-delay"),
    serverStatus: options.flag("server-status"),
  };
}

/** A probe path is matched exactly against the request's path (its query ignored), so
 *  it must be an absolute URL path with nothing a request path could not equal. */
function probePath(option: string, value: string | null): string | null {
  if (value === null) return null;
  // eslint-disable-next-line no-control-regex -- control characters are what is refused
  if (!value.startsWith("/") || /[?#\s\x00-\x1f\x7f]/.test(value)) {
    throw optionError(
      "WSGIX_ERR_OPTION_VALUE",
      `--${option}`,
      "a URL path starting with '/', without '?', '#' or spaces",
      value,
    );
  }
  return value;
}
