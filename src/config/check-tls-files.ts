/**
 * The certificate files' contents checked without starting a server: what
 * `--setup-only`, setup-server and `apachectl configtest` report, as Apache's configtest
 * (httpd -t) loads SSLCertificateFile and SSLCertificateKeyFile and fails on a bad one.
 * The checks are loadTlsMaterial's, the same that start-up and a graceful restart run.
 */
import type { X509Certificate } from "node:crypto";
import { loadTlsMaterial, type ReadText } from "./resolve-tls.js";
import type { TlsConfig } from "./server-config.js";

/**
 * Throws WSGIX_ERR_TLS_FILE (one line: the option and the file) when a file cannot
 * serve; returns warning lines for certificates that can be loaded but that clients will
 * refuse: expired, or not valid yet (mod_ssl starts with either, and warns).
 */
export function checkTlsFiles(tls: TlsConfig | null, read: ReadText, now: Date): string[] {
  if (tls === null) return [];
  const material = loadTlsMaterial(tls, read);
  const option = tls.fromPrefix ? "--ssl-certificate" : "--ssl-certificate-file";
  return validityWarnings(option, tls.certificateFile, material.certificate, now);
}

/** What is wrong with `certificate`'s validity period at `now`, as warning lines. */
export function validityWarnings(
  option: string,
  path: string,
  certificate: X509Certificate,
  now: Date,
): string[] {
  const time = now.getTime();
  if (Date.parse(certificate.validTo) < time) {
    return [`${option}: '${path}' expired on ${certificate.validTo}; clients will refuse it`];
  }
  if (Date.parse(certificate.validFrom) > time) {
    return [
      `${option}: '${path}' is not valid before ${certificate.validFrom}; clients will refuse it`,
    ];
  }
  return [];
}
