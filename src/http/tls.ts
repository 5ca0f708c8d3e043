/**
 * The HTTPS listener's TLS settings: the secure context made of the checked certificate
 * files, safe defaults, session ticket keys that rotate, and the reload of the
 * certificates at a graceful restart without dropping a connection.
 */
import { constants, randomBytes } from "node:crypto";
import type { Server as HttpServer } from "node:http";
import {
  Server as TlsServer,
  TLSSocket,
  type SecureContextOptions,
  type TlsOptions,
} from "node:tls";
import type { Socket } from "node:net";
import { loadTlsMaterial, type ReadText, type TlsMaterial } from "../config/resolve-tls.js";
import type { TlsConfig } from "../config/server-config.js";
import { isWsgiExpressError } from "../errors.js";

/**
 * Mozilla's "intermediate" configuration (v5.7): TLS 1.3's three suites, then TLS 1.2's
 * forward-secret AEAD suites only: no CBC, RC4, 3DES, export, anonymous or static-RSA
 * key exchange.
 */
export const CIPHERS = [
  "TLS_AES_128_GCM_SHA256",
  "TLS_AES_256_GCM_SHA384",
  "TLS_CHACHA20_POLY1305_SHA256",
  "ECDHE-ECDSA-AES128-GCM-SHA256",
  "ECDHE-RSA-AES128-GCM-SHA256",
  "ECDHE-ECDSA-AES256-GCM-SHA384",
  "ECDHE-RSA-AES256-GCM-SHA384",
  "ECDHE-ECDSA-CHACHA20-POLY1305",
  "ECDHE-RSA-CHACHA20-POLY1305",
  "DHE-RSA-AES128-GCM-SHA256",
  "DHE-RSA-AES256-GCM-SHA384",
  "DHE-RSA-CHACHA20-POLY1305",
].join(":");

/** How often the session ticket key is replaced. Tickets sealed with the previous key no
 *  longer resume (node holds one key), which costs those clients one full handshake. */
export const TICKET_KEY_ROTATION_MS = 60 * 60 * 1000;

/** The parts of the context that setSecureContext replaces at a reload. */
export function secureContextOptions(material: TlsMaterial): SecureContextOptions {
  return {
    // The chain follows the server certificate (SSLCertificateChainFile).
    cert: material.chain === null ? material.cert : `${material.cert.trimEnd()}\n${material.chain}`,
    key: material.key,
    ...(material.ca === null ? {} : { ca: material.ca }),
    minVersion: "TLSv1.2",
    ciphers: CIPHERS,
    // A renegotiation that asks for a client certificate must be a full handshake: a
    // resumed one would skip the CertificateRequest (Apache sets the same option).
    secureOptions: constants.SSL_OP_NO_SESSION_RESUMPTION_ON_RENEGOTIATION,
  };
}

/** The listener's options: the context, plus whether client certificates are asked for. */
export function tlsServerOptions(
  tls: TlsConfig,
  material: TlsMaterial,
  handshakeTimeoutMs: number,
): TlsOptions {
  return {
    ...secureContextOptions(material),
    // The whole site needs one (--ssl-ca-certificate-file alone): asked for in the
    // handshake. A client without one still connects and is answered 403 with a log line
    // (client-certificates.ts), as Apache answers a failed SSLVerifyClient require.
    // Under --ssl-verify-client paths only, it is asked for later, by renegotiation.
    requestCert: tls.caCertificateFile !== null && tls.verifyClient.length === 0,
    rejectUnauthorized: false,
    handshakeTimeout: handshakeTimeoutMs,
  };
}

/** The event that gives a connection's request-carrying socket: for TLS, after the
 *  handshake ('connection' gives the raw TCP socket under it). */
export function connectionEvent(server: HttpServer): "connection" | "secureConnection" {
  return server instanceof TlsServer ? "secureConnection" : "connection";
}

export function isTlsSocket(socket: Socket): socket is TLSSocket {
  return socket instanceof TLSSocket;
}

export interface Timers {
  readonly setInterval: (run: () => void, ms: number) => NodeJS.Timeout;
  readonly clearInterval: (timer: NodeJS.Timeout) => void;
}

/** Replaces the server's session ticket key every `intervalMs` (RFC 5077 §5.5: keys
 *  should change regularly, so that a stolen key opens little traffic). */
export class TicketKeys {
  private key: Buffer;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly server: TlsServer,
    intervalMs = TICKET_KEY_ROTATION_MS,
    private readonly timers: Timers = { setInterval, clearInterval },
    private readonly random: (size: number) => Buffer = randomBytes,
  ) {
    this.key = this.random(48);
    this.server.setTicketKeys(this.key);
    this.timer = this.timers.setInterval(() => {
      this.rotate();
    }, intervalMs);
    this.timer.unref();
  }

  rotate(): void {
    this.key = this.random(48);
    this.server.setTicketKeys(this.key);
  }

  /** Puts the current key back (setSecureContext makes a context with a key of its own). */
  reapply(): void {
    this.server.setTicketKeys(this.key);
  }

  stop(): void {
    this.timers.clearInterval(this.timer);
  }
}

/**
 * Re-reads the certificate files and gives new handshakes the new context; connections
 * already open keep theirs. A file that fails its checks leaves the old certificate in use.
 */
export function reloadCertificates(
  server: TlsServer,
  tls: TlsConfig,
  read: ReadText,
  tickets: TicketKeys,
  log: { notice: (message: string) => void; error: (message: string) => void },
): boolean {
  let material: TlsMaterial;
  try {
    material = loadTlsMaterial(tls, read);
  } catch (error) {
    if (!isWsgiExpressError(error)) throw error;
    log.error(`certificates not reloaded, the previous ones stay in use: ${error.message}`);
    return false;
  }
  server.setSecureContext(secureContextOptions(material));
  tickets.reapply();
  log.notice(`certificates reloaded from ${tls.certificateFile}`);
  return true;
}
