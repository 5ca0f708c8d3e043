/**
 * HTTPS (mod_wsgi-express options 8-18): which files, which port, which rules; and the
 * checks of the certificate files' contents, run on what the edge read from disk.
 *
 * mod_wsgi-express generates its HTTPS listener only with --server-name, --https-port,
 * a certificate and a key all present, and silently serves no HTTPS otherwise (reference
 * §10 item 7); certificate options without --https-port are an error since 6.0. Here
 * every incomplete combination is an error that says what is missing.
 */
import { createPrivateKey, X509Certificate, type KeyObject } from "node:crypto";
import { WsgiExpressError } from "../errors.js";
import type { ResolveContext } from "./context.js";
import type { OptionReader } from "./option-reader.js";
import { existingFile } from "./resolve-paths.js";
import type { TlsConfig } from "./server-config.js";

/** Options that mean something only with --https-port. */
const NEEDS_HTTPS_PORT = [
  "ssl-certificate-file",
  "ssl-certificate-key-file",
  "ssl-certificate",
  "ssl-ca-certificate-file",
  "ssl-verify-client",
  "ssl-certificate-chain-file",
  "ssl-environment",
  "https-only",
  "hsts-policy",
  "ssl-use-stapling",
];

export function resolveTls(options: OptionReader, context: ResolveContext): TlsConfig | null {
  const port = options.optionalNumber("https-port");
  if (port === null) {
    const stray = NEEDS_HTTPS_PORT.find((name) => options.given(name));
    if (stray !== undefined) throw needs(`--${stray}`, "--https-port");
    return null;
  }
  if (options.optionalString("server-name") === null) {
    throw needs(
      "--https-port",
      "--server-name",
      " (mod_wsgi-express silently serves no HTTPS without one)",
    );
  }
  const { certificateFile, keyFile, fromPrefix } = certificateAndKey(options, context);
  const file = (name: string, what: string): string | null => {
    const given = options.optionalString(name);
    return given === null ? null : existingFile(`--${name}`, given, what, context);
  };
  const caCertificateFile = file("ssl-ca-certificate-file", "CA certificate file");
  const verifyClient = options.list("ssl-verify-client").map(checkUrlPath);
  if (verifyClient.length > 0 && caCertificateFile === null) {
    throw needs("--ssl-verify-client", "--ssl-ca-certificate-file");
  }
  const httpsOnly = options.flag("https-only");
  const hstsPolicy = options.optionalString("hsts-policy");
  // mod_wsgi-express sends the header only on an --https-only site: say so, not ignore it.
  if (hstsPolicy !== null && !httpsOnly) throw needs("--hsts-policy", "--https-only");
  if (hstsPolicy !== null && (hstsPolicy.trim() === "" || /[\r\n\0]/.test(hstsPolicy))) {
    throw new WsgiExpressError(
      "WSGIX_ERR_OPTION_VALUE",
      `--hsts-policy: expected a header value such as 'max-age=31536000', got '${hstsPolicy}'`,
    );
  }
  return {
    port,
    certificateFile,
    keyFile,
    fromPrefix,
    chainFile: file("ssl-certificate-chain-file", "certificate chain file"),
    caCertificateFile,
    // Longest first, as mod_wsgi-express sorts its <Location> blocks.
    verifyClient: [...verifyClient].sort().reverse(),
    environment: options.flag("ssl-environment"),
    httpsOnly,
    hstsPolicy,
    http2: options.flag("http2"),
    stapling: options.flag("ssl-use-stapling"),
  };
}

function certificateAndKey(
  options: OptionReader,
  context: ResolveContext,
): { certificateFile: string; keyFile: string; fromPrefix: boolean } {
  const prefix = options.optionalString("ssl-certificate");
  let certificate = options.optionalString("ssl-certificate-file");
  let key = options.optionalString("ssl-certificate-key-file");
  let certificateOption = "--ssl-certificate-file";
  let keyOption = "--ssl-certificate-key-file";
  if (prefix !== null) {
    if (certificate !== null || key !== null) {
      throw new WsgiExpressError(
        "WSGIX_ERR_OPTION_VALUE",
        "--ssl-certificate: give either this prefix or --ssl-certificate-file and --ssl-certificate-key-file, not both",
      );
    }
    // mod_wsgi-express appends `.crt` and `.key` to the prefix.
    certificate = `${prefix}.crt`;
    key = `${prefix}.key`;
    certificateOption = keyOption = "--ssl-certificate";
  }
  if (certificate === null && key === null) {
    throw needs("--https-port", "--ssl-certificate-file and --ssl-certificate-key-file");
  }
  if (certificate === null) throw needs("--ssl-certificate-key-file", "--ssl-certificate-file");
  if (key === null) throw needs("--ssl-certificate-file", "--ssl-certificate-key-file");
  return {
    certificateFile: existingFile(certificateOption, certificate, "certificate file", context),
    keyFile: existingFile(keyOption, key, "private key file", context),
    fromPrefix: prefix !== null,
  };
}

function checkUrlPath(path: string): string {
  if (!path.startsWith("/") || /[\s?#]/.test(path)) {
    throw new WsgiExpressError(
      "WSGIX_ERR_OPTION_VALUE",
      `--ssl-verify-client: expected a URL path starting with '/', got '${path}'`,
    );
  }
  // `/secure/` and `/secure` name the same place; `/` stays `/`.
  return path.length > 1 ? path.replace(/\/+$/, "") : path;
}

function needs(option: string, other: string, why = ""): WsgiExpressError {
  return new WsgiExpressError("WSGIX_ERR_OPTION_NEEDS", `${option}: needs ${other}${why}`);
}

/** The PEM texts of one HTTPS configuration, checked: what the secure context is made of. */
export interface TlsMaterial {
  readonly cert: string;
  readonly key: string;
  /** The chain file's certificates, sent after the server certificate. */
  readonly chain: string | null;
  readonly ca: string | null;
  /** The server certificate, for the banner's warnings and SSL_SERVER_*. */
  readonly certificate: X509Certificate;
}

/** Reads a file; throws with the system's message (ENOENT, EACCES...). */
export type ReadText = (path: string) => string;

/**
 * Reads and checks the certificate files. Each failure is one line naming the option and
 * the file: missing or unreadable, not PEM, an encrypted key, a key that does not match.
 */
export function loadTlsMaterial(tls: TlsConfig, read: ReadText): TlsMaterial {
  const certOption = tls.fromPrefix ? "--ssl-certificate" : "--ssl-certificate-file";
  const keyOption = tls.fromPrefix ? "--ssl-certificate" : "--ssl-certificate-key-file";
  const cert = readPem(certOption, tls.certificateFile, read, "CERTIFICATE");
  const certificate = parseCertificates(
    certOption,
    tls.certificateFile,
    cert,
  )[0] as X509Certificate;
  const key = readPem(keyOption, tls.keyFile, read, "PRIVATE KEY");
  const privateKey = parseKey(keyOption, tls.keyFile, key);
  if (!certificate.checkPrivateKey(privateKey)) {
    throw tlsFileError(keyOption, tls.keyFile, `is not the key of ${tls.certificateFile}`);
  }
  const extra = (option: string, path: string | null): string | null => {
    if (path === null) return null;
    const text = readPem(option, path, read, "CERTIFICATE");
    parseCertificates(option, path, text);
    return text;
  };
  return {
    cert,
    key,
    chain: extra("--ssl-certificate-chain-file", tls.chainFile),
    ca: extra("--ssl-ca-certificate-file", tls.caCertificateFile),
    certificate,
  };
}

function readPem(option: string, path: string, read: ReadText, label: string): string {
  let text: string;
  try {
    text = read(path);
  } catch (error) {
    throw tlsFileError(option, path, `cannot be read (${(error as Error).message})`);
  }
  // "-----BEGIN PRIVATE KEY-----", "-----BEGIN RSA PRIVATE KEY-----", "-----BEGIN EC ...".
  if (!new RegExp(`-----BEGIN [A-Z0-9 ]*${label}-----`).test(text)) {
    throw tlsFileError(option, path, `is not a PEM file holding a ${label.toLowerCase()}`);
  }
  return text;
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g;

function parseCertificates(option: string, path: string, text: string): X509Certificate[] {
  const blocks = text.match(PEM_CERTIFICATE) ?? [];
  try {
    const certificates = blocks.map((block) => new X509Certificate(block));
    if (certificates.length > 0) return certificates;
  } catch {
    // Reported below, as for a file with no complete block.
  }
  throw tlsFileError(option, path, "holds no valid PEM certificate");
}

function parseKey(option: string, path: string, text: string): KeyObject {
  try {
    return createPrivateKey(text);
  } catch (error) {
    const code = (error as { code?: string }).code;
    // PKCS#8 `ENCRYPTED PRIVATE KEY`, or the older `Proc-Type: 4,ENCRYPTED` header.
    const why =
      code === "ERR_MISSING_PASSPHRASE" || /ENCRYPTED/.test(text)
        ? "is encrypted (a passphrase-protected key is not supported)"
        : "holds no valid PEM private key";
    throw tlsFileError(option, path, why);
  }
}

function tlsFileError(option: string, path: string, what: string): WsgiExpressError {
  return new WsgiExpressError("WSGIX_ERR_TLS_FILE", `${option}: '${path}' ${what}`);
}
