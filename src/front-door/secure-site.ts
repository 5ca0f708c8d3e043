/**
 * What HTTPS adds in front of the site (mod_wsgi-express's vhost template): on the HTTP
 * port of an --https-only site, a redirect to https://<server-name>:<https-port><uri>;
 * on the HTTPS port, the client-certificate rules, the HSTS header and the SSL_*
 * variables.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { TLSSocket } from "node:tls";
import type { ServerConfig, TlsConfig } from "../config/server-config.js";
import type { Environ } from "../exchange/environ.js";
import { checkClientCertificate } from "../http/client-certificates.js";
import { requireHttp1 } from "../http/h2-compat.js";
import type { ErrorSender } from "../http/error-pages.js";
import { HSTS, sendWithHead } from "../http/hsts.js";
import { absoluteAuthority } from "../http/request-guards.js";
import { splitTarget } from "../http/request-target.js";
import { sslEnviron } from "../http/ssl-environ.js";
import { isTlsSocket } from "../http/tls.js";
import { hostName, matchesAlias } from "../http/virtual-hosts.js";

export class SecureSite {
  /** The HTTPS port as bound (differs from --https-port 0); set once listening. */
  boundPort = 0;

  constructor(
    private readonly tls: TlsConfig,
    private readonly config: ServerConfig,
    private readonly log: (message: string) => void,
  ) {}

  /** True when answered here (redirect, 403); false: the site goes on with it. Not a
   *  promise unless a client certificate is checked (no microtask per request for it). */
  answer(
    req: IncomingMessage,
    res: ServerResponse,
    sendError: ErrorSender,
  ): boolean | Promise<boolean> {
    const socket = req.socket;
    if (!isTlsSocket(socket)) {
      if (!this.tls.httpsOnly || !this.namesSite(req)) return false;
      // `RewriteRule (.*) https://<server-name>:<https-port>%{REQUEST_URI}`: an absolute
      // substitution is an external redirect, 302 by default; the query string is kept.
      const uri = splitTarget(req.url ?? "/").uri;
      const location = `https://${this.config.listen.serverName}:${this.port()}${uri}`;
      sendError(res, 302, { headers: { Location: location } });
      return true;
    }
    if (this.tls.hstsPolicy !== null) sendWithHead(res, HSTS, this.tls.hstsPolicy);
    // Without --ssl-ca-certificate-file no path needs one (client-certificates.ts).
    if (this.tls.caCertificateFile === null) return false;
    return this.certificateRules(req, res, socket, sendError);
  }

  private async certificateRules(
    req: IncomingMessage,
    res: ServerResponse,
    socket: TLSSocket,
    sendError: ErrorSender,
  ): Promise<boolean> {
    const verdict = await checkClientCertificate(this.tls, req, socket, this.log);
    if (verdict === "ok") return false;
    if (verdict === "http1") requireHttp1(res);
    else if (!res.headersSent && !socket.destroyed) sendError(res, 403);
    return true;
  }

  /** Adds the SSL_* variables to an HTTPS request's environ (--ssl-environment). */
  environ(socket: Socket, environ: Environ): void {
    if (this.tls.environment && isTlsSocket(socket)) Object.assign(environ, sslEnviron(socket));
  }

  private port(): number {
    return this.boundPort || this.tls.port;
  }

  /** The request is for the named vhost (or the bare domain of a www. name), which the
   *  HTTPS-only rewrite covers; the catch-all vhost is left to the host check. */
  private namesSite(req: IncomingMessage): boolean {
    const name = hostName(absoluteAuthority(req.url ?? "") ?? req.headers.host);
    if (name === null) return false;
    const serverName = this.config.listen.serverName.toLowerCase();
    if (name === serverName) return true;
    if (serverName.startsWith("www.") && name === serverName.slice(4)) return true;
    return this.config.listen.serverAliases.some((alias) => matchesAlias(alias, name));
  }
}
