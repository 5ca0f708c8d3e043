/**
 * The HTTPS listener beside the HTTP one (--https-port): its certificates are read and
 * checked before anything starts, it listens on the same --host, and its certificates
 * are read again at each restart signal while it keeps serving.
 */
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:https";
import { createSecureServer } from "node:http2";
import type { TLSSocket } from "node:tls";
import { loadTlsMaterial } from "../config/resolve-tls.js";
import { validityWarnings } from "../config/check-tls-files.js";
import type { ServerConfig, TlsConfig } from "../config/server-config.js";
import {
  asHttpsServer,
  http2ServerOptions,
  shareHttp1Settings,
  watchSessions,
} from "../http/h2-server.js";
import { serverOptions } from "../http/listener.js";
import { SecureSite } from "../front-door/secure-site.js";
import { reloadCertificates, TicketKeys, tlsServerOptions } from "../http/tls.js";
import type { ErrorLog } from "../log/error-log.js";

export interface HttpsListener {
  /** With --http2, node's http2 server (h2, and HTTP/1.1 for clients without it), which
   *  serves as an https.Server: same events, and its sessions closed with its
   *  connections (h2-server.ts asHttpsServer). */
  readonly server: Server;
  readonly site: SecureSite;
  /** Re-reads the certificates (graceful restart); the old ones stay on a failure. */
  readonly reload: () => void;
  readonly stop: () => void;
}

const read = (path: string): string => readFileSync(path, "utf8");

/** Null without --https-port. Throws WSGIX_ERR_TLS_FILE for a file that cannot serve. */
export function createHttpsListener(
  config: ServerConfig,
  errorLog: ErrorLog,
): HttpsListener | null {
  const tls = config.tls;
  if (tls === null) return null;
  const material = loadTlsMaterial(tls, read);
  const certOption = tls.fromPrefix ? "--ssl-certificate" : "--ssl-certificate-file";
  for (const line of validityWarnings(
    certOption,
    tls.certificateFile,
    material.certificate,
    new Date(),
  )) {
    errorLog.warn(line);
  }
  // The handshake is part of receiving the request head: --header-timeout bounds it.
  const { header } = config.clients;
  const handshakeMs = (Math.max(header.timeout, header.max) || 120) * 1000;
  const secure = tlsServerOptions(tls, material, handshakeMs);
  const server = tls.http2
    ? createHttp2Listener(config, secure, errorLog)
    : createServer({ ...serverOptions(config), ...secure });
  guardRenegotiation(server, tls);
  if (tls.stapling) stapleOcsp(server, errorLog);
  server.on("tlsClientError", (error: Error) => {
    errorLog.info(`TLS handshake failed: ${error.message}`);
  });
  const tickets = new TicketKeys(server);
  const site = new SecureSite(tls, config, (message) => {
    errorLog.error(message);
  });
  return {
    server,
    site,
    reload: () => {
      reloadCertificates(server, tls, read, tickets, errorLog);
    },
    stop: () => {
      tickets.stop();
    },
  };
}

function createHttp2Listener(
  config: ServerConfig,
  secure: ReturnType<typeof tlsServerOptions>,
  errorLog: ErrorLog,
): Server {
  const server = createSecureServer({ ...http2ServerOptions(), ...secure });
  shareHttp1Settings(server, config);
  // node's own handler passes a failed handshake on as a 'clientError', which is the
  // HTTP/1.1 parser's event here (connections.ts): logged below as for HTTPS instead.
  server.removeAllListeners("tlsClientError");
  // No request runs silent for longer than --request-timeout (then the front end answers).
  const { keepAliveTimeout } = config.http;
  const timeouts = {
    keepAliveSeconds: keepAliveTimeout,
    silenceSeconds: keepAliveTimeout + (config.daemons.requestTimeout || 300),
  };
  watchSessions(server, timeouts, (message) => {
    errorLog.info(message);
  });
  return asHttpsServer(server);
}

/**
 * No client-initiated renegotiation (a CPU-exhaustion lever, CVE-2011-1473): node lets a
 * TLS 1.2 client renegotiate (tls.CLIENT_RENEG_LIMIT: 3 in 10 minutes), so without
 * --ssl-verify-client, where the server never renegotiates, every renegotiation is made
 * an error and the connection is closed (clientError). With --ssl-verify-client the
 * server must renegotiate itself (over HTTP/1.1 only), and node cannot tell the two
 * apart: there node's limit is what applies.
 */
function guardRenegotiation(server: Server, tls: TlsConfig): void {
  server.on("secureConnection", (socket: TLSSocket) => {
    // HTTP/2 forbids renegotiation altogether (RFC 9113 §9.2.1).
    if (tls.verifyClient.length > 0 && socket.alpnProtocol !== "h2") return;
    socket.disableRenegotiation();
  });
}

/** --ssl-use-stapling: node asks for a response at each handshake with status_request. */
function stapleOcsp(server: Server, errorLog: ErrorLog): void {
  // Imported only here: its ASN.1 modules cost a server without stapling ~10 MB.
  const stapler = import("../http/ocsp.js").then(
    ({ httpFetch, OcspStapler }) =>
      new OcspStapler(httpFetch, Date.now, (message) => {
        errorLog.warn(message);
      }),
  );
  type Done = (error: Error | null, response?: Buffer) => void;
  server.on("OCSPRequest", (cert: Buffer, issuer: Buffer | null, done: Done) => {
    stapler
      .then((ocsp) => ocsp.staple(cert, issuer))
      .then(
        (response) => {
          done(null, response ?? undefined);
        },
        (error: unknown) => {
          errorLog.warn(`OCSP stapling: ${String(error)}`);
          done(null);
        },
      );
  });
}

/** Listens on --https-port (0: a free port) on --host; resolves with the bound port. */
export function listenHttps(listener: HttpsListener, config: ServerConfig): Promise<number> {
  const port = config.tls?.port ?? 0;
  return new Promise((resolve, reject) => {
    const { server } = listener;
    server.once("error", reject);
    const options = { port, backlog: config.listen.backlog };
    const host = config.listen.host;
    server.listen(host ? { ...options, host } : options, () => {
      server.off("error", reject);
      const address = server.address();
      const bound = typeof address === "object" && address !== null ? address.port : port;
      listener.site.boundPort = bound;
      resolve(bound);
    });
  });
}
