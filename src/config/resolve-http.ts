/** Front-end HTTP limits: keep-alive, request body, chunked bodies, header lines, and
 *  the request and response spools. */
import { join } from "node:path";
import { optionError } from "../errors.js";
import type { OptionReader } from "./option-reader.js";
import type { HttpConfig } from "./server-config.js";

/** What `--header-buffer-size 0` means, and the least a set value may be (mod_wsgi). */
const HEADER_BUFFER_DEFAULT = 32768;
const HEADER_BUFFER_MINIMUM = 8192;

export function resolveHttp(options: OptionReader, serverRoot: string): HttpConfig {
  return {
    http2: options.flag("http2"),
    keepAliveTimeout: options.number("keep-alive-timeout"),
    limitRequestBody: options.number("limit-request-body"),
    chunkedRequest: options.flag("chunked-request"),
    limitRequestLine: options.number("limit-request-line"),
    limitRequestFields: options.number("limit-request-fields"),
    limitRequestFieldSize: options.number("limit-request-field-size"),
    traceEnable: options.flag("trace-enable"),
    headerBufferSize: headerBufferSize(options.number("header-buffer-size")),
    bodySpoolSize: options.number("body-spool-size"),
    bodySpoolDirectory: join(serverRoot, "request-bodies"),
    responseSpoolSize: options.number("response-spool-size"),
    responseSpoolDirectory: join(serverRoot, "response-bodies"),
  };
}

function headerBufferSize(size: number): number {
  if (size === 0) return HEADER_BUFFER_DEFAULT;
  if (size >= HEADER_BUFFER_MINIMUM) return size;
  throw optionError(
    "WSGIX_ERR_OPTION_VALUE",
    "--header-buffer-size",
    `0 (meaning ${HEADER_BUFFER_DEFAULT}) or a whole number of ${HEADER_BUFFER_MINIMUM} or more`,
    String(size),
  );
}
