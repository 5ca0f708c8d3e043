/**
 * The reverse proxy's stage (src/proxy/): --proxy-virtual-host routes take a request
 * first, as the virtual hosts of their own mod_wsgi-express writes for them; the
 * --proxy-mount-point routes come after the HTTPS rules and the host check, before URL
 * aliases, the document root and the app (ProxyPass takes the path before Alias and the
 * rewrite to the WSGI handler). Upgrade requests (node:http's 'upgrade' event) pass the
 * same stages: a proxied one becomes a tunnel, any other is served as a plain request
 * on a connection that then closes.
 */
import { ServerResponse, type IncomingMessage, type Server } from "node:http";
import type { Duplex } from "node:stream";
import type { ServerConfig } from "../config/server-config.js";
import { markClosing } from "../http/connections.js";
import type { ErrorSender } from "../http/error-pages.js";
import { bodyHook, type FrontEndRequest, type RequestHandler } from "../http/listener.js";
import { absoluteAuthority } from "../http/request-guards.js";
import { isTlsSocket } from "../http/tls.js";
import { Backends } from "../proxy/backends.js";
import { Forwarder } from "../proxy/forwarder.js";
import { ProxyRoutes, type ProxyRoute, type RouteRequest } from "../proxy/routes.js";
import type { ClientUpgrade } from "../proxy/tunnel.js";

/** Upgrade requests' sockets and early bytes, from the 'upgrade' event to the stage. */
const upgrades = new WeakMap<IncomingMessage, ClientUpgrade>();

export class ProxyStage {
  private readonly routes: ProxyRoutes;
  private readonly backends: Backends;
  private readonly forwarder: Forwarder;
  /** Upgrade requests' responses whose socket is still open: a 101 is a tunnel. */
  private readonly upgraded = new Set<ServerResponse>();

  constructor(
    private readonly config: ServerConfig,
    private readonly sendError: ErrorSender,
    log: (message: string) => void,
  ) {
    const { reverseProxy } = config;
    this.routes = new ProxyRoutes(reverseProxy);
    this.backends = new Backends(
      { connections: config.clients.maxClients, timeout: reverseProxy.timeout },
      !this.routes.empty,
    );
    this.forwarder = new Forwarder(
      this.backends,
      {
        serverName: config.listen.serverName,
        timeout: reverseProxy.timeout,
        limitRequestBody: config.http.limitRequestBody,
      },
      {
        sendError: (res, status) => {
          // A body that failed (408, 413) leaves the connection unusable, as Apache.
          const close = status === 408 || status === 413;
          if (close) markClosing(res.req.socket);
          sendError(res, status, { close });
        },
        log,
      },
    );
  }

  /** No route configured: the stage is left out. */
  get empty(): boolean {
    return this.routes.empty;
  }

  /** True when the request is the proxy's (a chunked body is then the back end's to
   *  take or refuse, not --chunked-request's). */
  claims(req: IncomingMessage): boolean {
    const request = this.routeRequest(req);
    return this.routes.forHost(request) !== null || this.routes.forPath(request) !== null;
  }

  /** --proxy-virtual-host: true when the request was taken. */
  answerHost(req: IncomingMessage, res: ServerResponse, expectContinue: boolean): boolean {
    return this.take(req, res, expectContinue, this.routes.forHost(this.routeRequest(req)));
  }

  /** --proxy-mount-point: true when the request was taken (or redirected to PATH/). */
  answerPath(req: IncomingMessage, res: ServerResponse, expectContinue: boolean): boolean {
    return this.take(req, res, expectContinue, this.routes.forPath(this.routeRequest(req)));
  }

  /**
   * Hands node:http's upgrade requests of `server` to `handle`, each with a response of
   * its own on the socket (the connection closes after it, or becomes a tunnel).
   *
   * node:http no longer tracks an upgraded socket, so neither closeIdleConnections()
   * nor closeAllConnections() would end a tunnel, and the listener would never finish
   * closing: the server's closeIdleConnections (called once it stops accepting, at
   * shutdown) also ends the tunnels, and lets the back ends' pools go.
   */
  acceptUpgrades(server: Server, handle: RequestHandler): void {
    const closeIdle = server.closeIdleConnections.bind(server);
    server.closeIdleConnections = () => {
      closeIdle();
      this.endTunnels();
    };
    server.on("upgrade", (req: FrontEndRequest, socket: Duplex, head: Buffer) => {
      upgrades.set(req, { socket, head });
      const res = new ServerResponse(req);
      this.upgraded.add(res);
      socket.once("close", () => this.upgraded.delete(res));
      res.shouldKeepAlive = false;
      res.assignSocket(socket as never);
      res.once("finish", () => {
        if (res.statusCode !== 101) socket.end();
      });
      socket.on("error", () => {
        socket.destroy();
      });
      handle(req, res, false);
    });
  }

  /** Ends every tunnel (each side gets its FIN, then is cut after a grace period) and
   *  closes the back ends' pools once their requests in flight are done. */
  private endTunnels(): void {
    for (const res of this.upgraded) if (res.statusCode === 101) res.socket?.end();
    void this.backends.close();
  }

  private take(
    req: IncomingMessage,
    res: ServerResponse,
    expectContinue: boolean,
    route: ProxyRoute | null,
  ): boolean {
    if (route === null) return false;
    if (route.kind === "redirect") {
      this.sendError(res, 302, { headers: { Location: route.location } });
      return true;
    }
    const upgrade = upgrades.get(req) ?? null;
    const relay = this.forwarder.forward(req, res, route, { expectContinue, upgrade });
    const hook = bodyHook(req);
    if (hook) hook.bodyFailed = (status) => relay.answer(status);
    return true;
  }

  private routeRequest(req: IncomingMessage): RouteRequest {
    const url = req.url ?? "/";
    return {
      url,
      host: absoluteAuthority(url) ?? req.headers.host,
      serverName: this.config.listen.serverName,
      localPort: req.socket.localPort ?? 0,
      secure: isTlsSocket(req.socket),
    };
  }
}
