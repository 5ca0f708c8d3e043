/** The parts of ServerConfig the front end's listeners and intake read (server-config.ts
 *  re-exports them). */

export interface TlsConfig {
  /** `--https-port` (`--ssl-port`); 0 asks the OS for a free port. */
  readonly port: number;
  /** Absolute paths; checked to exist. Their contents are checked when read at start-up
   *  and at each graceful restart (resolve-tls.ts loadTlsMaterial). */
  readonly certificateFile: string;
  readonly keyFile: string;
  /** True when both came from `--ssl-certificate PREFIX` (errors name that option). */
  readonly fromPrefix: boolean;
  readonly chainFile: string | null;
  /** `--ssl-ca-certificate-file`: client certificates are asked for and checked. */
  readonly caCertificateFile: string | null;
  /** `--ssl-verify-client` URL paths, longest first; empty with a CA file: the whole site. */
  readonly verifyClient: readonly string[];
  /** `--ssl-environment`: mod_ssl's SSL_* variables in the environ. */
  readonly environment: boolean;
  /** `--https-only`: the HTTP port redirects the site to HTTPS. */
  readonly httpsOnly: boolean;
  /** `--hsts-policy` (only with --https-only): the Strict-Transport-Security value. */
  readonly hstsPolicy: string | null;
  /** `--http2`: the HTTPS port offers h2 by ALPN, beside HTTP/1.1 (http/h2-*.ts). */
  readonly http2: boolean;
  /** `--ssl-use-stapling`: OCSP responses are fetched and stapled (http/ocsp.ts). */
  readonly stapling: boolean;
}

export interface HttpConfig {
  /** `--http2`: the HTTP port serves h2c by prior knowledge too (http/h2c.ts). */
  readonly http2: boolean;
  /** Seconds; 0 turns keep-alive off. */
  readonly keepAliveTimeout: number;
  readonly limitRequestBody: number;
  readonly chunkedRequest: boolean;
  /** Apache's LimitRequestLine / LimitRequestFields / LimitRequestFieldSize; 0: none. */
  readonly limitRequestLine: number;
  readonly limitRequestFields: number;
  readonly limitRequestFieldSize: number;
  /** `--trace-enable` (Apache's TraceEnable): TRACE is echoed, else 405. */
  readonly traceEnable: boolean;
  /** Largest response header line accepted from the daemon (0 in the option = 32768). */
  readonly headerBufferSize: number;
  /** Bytes of request bodies spooled to files at once (--body-spool-size); 0: none. */
  readonly bodySpoolSize: number;
  /** Where they are spooled: <server-root>/request-bodies. */
  readonly bodySpoolDirectory: string;
  /** Bytes of responses to slow clients spooled to files at once (--response-spool-size);
   *  0: none, the daemon waits for the client. */
  readonly responseSpoolSize: number;
  /** Where they are spooled: <server-root>/response-bodies. */
  readonly responseSpoolDirectory: string;
}

/** A read phase's allowance, as mod_reqtimeout takes it: seconds, a cap, bytes per second. */
export interface ReadPhaseLimit {
  /** Seconds; 0: no limit. */
  readonly timeout: number;
  /** Seconds the min-rate extensions may reach; 0: no cap. */
  readonly max: number;
  /** Each this many bytes received extends the timeout by one second; 0: never. */
  readonly minRate: number;
}

export interface ClientConfig {
  /** --header-timeout, --header-max-timeout, --header-min-rate. */
  readonly header: ReadPhaseLimit;
  /** --body-timeout, --body-max-timeout, --body-min-rate. */
  readonly body: ReadPhaseLimit;
  /** --max-clients resolved: requests in progress at once; more wait, unread. */
  readonly maxClients: number;
  /** Open client connections allowed, from the descriptor limit (not an option). */
  readonly maxConnections: number;
  /** Seconds a response write may stall before the client is cut off (0 in the option
   *  means --socket-timeout). */
  readonly responseSocketTimeout: number;
  /** Response bytes queued for a client before the rest is spooled or the daemon is made
   *  to wait (0 in the option means 8 MiB). */
  readonly responseBufferSize: number;
  /** The same, across all responses (--response-memory-size). */
  readonly responseMemorySize: number;
  /** --response-flush-delay, in milliseconds: small pieces of a streamed response wait
   *  this long for more before they go to the client; 0: at once. */
  readonly responseFlushDelay: number;
}

export interface ProxyConfig {
  /** Lower-case header names. */
  readonly headers: readonly string[];
  /** IP addresses and CIDR subnets, as given. */
  readonly proxies: readonly string[];
}
