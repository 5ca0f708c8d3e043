/**
 * The one catalogue of wsgi-express errors. A code is stable and never reused once
 * released; tests assert on codes, never on message text (STYLE.md, practice 4).
 * `exitCode` is the status the CLI exits with: 2 for usage errors, as optparse's
 * `parser.error` gives mod_wsgi-express.
 */
export const ERRORS = {
  WSGIX_ERR_NO_COMMAND: { exitCode: 2, summary: "no sub-command was given" },
  WSGIX_ERR_UNKNOWN_COMMAND: { exitCode: 2, summary: "the sub-command is not known" },
  WSGIX_ERR_UNKNOWN_OPTION: { exitCode: 2, summary: "the option is not known" },
  WSGIX_ERR_AMBIGUOUS_OPTION: { exitCode: 2, summary: "an abbreviated option matches several" },
  WSGIX_ERR_MISSING_ARGUMENT: { exitCode: 2, summary: "an option is missing its value(s)" },
  WSGIX_ERR_UNEXPECTED_ARGUMENT: { exitCode: 2, summary: "a value or argument is not wanted" },
  WSGIX_ERR_OPTION_VALUE: { exitCode: 2, summary: "an option value has the wrong form" },
  WSGIX_ERR_OPTION_NEEDS: { exitCode: 2, summary: "an option needs another that was not given" },
  WSGIX_ERR_MISSING_FILE: { exitCode: 2, summary: "a file named by an option does not exist" },
  WSGIX_ERR_NOT_A_DIRECTORY: { exitCode: 2, summary: "a directory named by an option is absent" },
  WSGIX_ERR_CREATE_DIRECTORY: { exitCode: 2, summary: "a directory could not be created" },
  WSGIX_ERR_PYTHON: { exitCode: 2, summary: "no usable Python 3.9+ interpreter" },
  WSGIX_ERR_CAPACITY: { exitCode: 2, summary: "the machine cannot hold that many daemons" },
  WSGIX_ERR_TLS_FILE: { exitCode: 2, summary: "a certificate or key file cannot be used" },
  WSGIX_ERR_LOG_FILE: { exitCode: 1, summary: "a log file could not be opened for writing" },
  WSGIX_ERR_COVERAGE: { exitCode: 2, summary: "--enable-coverage without coverage.py" },
  WSGIX_ERR_PASTE_DEPLOY: { exitCode: 2, summary: "--application-type paste without PasteDeploy" },
  WSGIX_ERR_PYTHON_FEATURE: { exitCode: 2, summary: "the Python lacks what an option needs" },
  WSGIX_ERR_TELEMETRY_PORT: { exitCode: 1, summary: "the telemetry dashboard cannot listen" },
  WSGIX_ERR_REPLAY: { exitCode: 1, summary: "replay could not reach the server" },
  WSGIX_ERR_EMBEDDED_BUILD: { exitCode: 1, summary: "the embedded-mode addon cannot be built" },
  WSGIX_ERR_EMBEDDED_PYTHON: { exitCode: 2, summary: "the Python cannot be embedded" },
  WSGIX_ERR_EMBEDDED_OPTION: { exitCode: 2, summary: "an option does not work in embedded mode" },
  WSGIX_ERR_INTERNAL: { exitCode: 1, summary: "a bug: an unexpected failure" },
} as const satisfies Record<string, { readonly exitCode: number; readonly summary: string }>;

export type ErrorCode = keyof typeof ERRORS;

/** An expected failure: reported as one line on stderr, never with a stack trace. */
export class WsgiExpressError extends Error {
  readonly code: ErrorCode;
  readonly exitCode: number;

  constructor(code: ErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "WsgiExpressError";
    this.code = code;
    this.exitCode = ERRORS[code].exitCode;
  }
}

/** True for errors from the catalogue (as opposed to bugs). */
export function isWsgiExpressError(error: unknown): error is WsgiExpressError {
  return error instanceof WsgiExpressError;
}

/**
 * The usual option error: names the option, the expected form and the value received,
 * e.g. `--port: expected a whole number from 0 to 65535, got 'abc'`.
 */
export function optionError(
  code: ErrorCode,
  option: string,
  expected: string,
  received: string,
): WsgiExpressError {
  return new WsgiExpressError(code, `${option}: expected ${expected}, got ${quote(received)}`);
}

/** Quotes a received value the way Python's repr does for plain strings. */
export function quote(value: string): string {
  return `'${value.replaceAll("\\", "\\\\").replaceAll("'", "\\'")}'`;
}
