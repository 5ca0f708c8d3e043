/**
 * Ours, not mod_wsgi-express's: Apache's request-head limits and TraceEnable, which mod_wsgi-express
 * leaves at Apache's defaults (it has no option for them; --include-file was the way to
 * change them). Same names and defaults as the Apache directives.
 */
import { row } from "./row.js";
import type { OptionSpec } from "./spec.js";

// prettier-ignore
export const TABLE_HTTP_LIMITS: readonly OptionSpec[] = [
  row("limit-request-line", "integer", "BYTES", "yes", { group: "requests", default: 8190 },
    "(Ours: Apache's LimitRequestLine.) Longest request line (method, target and version) in bytes; a longer one is refused with 414. 0 means no limit other than the 64 KiB cap on the whole request head."),
  row("limit-request-fields", "integer", "NUMBER", "yes", { group: "requests", default: 100 },
    "(Ours: Apache's LimitRequestFields.) Most header fields a request may have; more are refused with 431 (Apache answers 400). 0 means no limit other than the 64 KiB cap on the whole request head."),
  row("limit-request-field-size", "integer", "BYTES", "yes", { group: "requests", default: 8190 },
    "(Ours: Apache's LimitRequestFieldSize.) Longest header field line ('Name: value') in bytes; a longer one is refused with 431 (Apache answers 400). 0 means no limit other than the 64 KiB cap on the whole request head."),
  row("trace-enable", "flag", "", "yes", { group: "security" },
    "(Ours: Apache's TraceEnable.) Answer TRACE requests by echoing the request head as message/http; without it TRACE is refused with 405, as a hardened Apache does. The application never sees TRACE."),
];
