/**
 * The front door: every request passes its stages in order, and leaves at the first
 * that answers it. Intake (framing, limits: intake.ts) -> site (host rules, URL aliases,
 * the document root: static/site.ts), with the access and auth scripts (auth/gate.ts)
 * checked before the site answers -> route to the app (app-route.ts) -> body strategy
 * (body-strategy.ts) -> admission (--max-clients) -> an exchange with a daemon thread.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { createAuthGate } from "../auth/create-gate.js";
import type { AuthGate } from "../auth/gate.js";
import type { ServerConfig } from "../config/server-config.js";
import { DaemonBackend } from "../daemon/daemon-backend.js";
import type { DaemonPool } from "../daemon/pool.js";
import type { Backend } from "../exchange/backend.js";
import { Admission } from "../exchange/admission.js";
import type { ExchangeContext } from "../exchange/exchange.js";
import type { AccessLog } from "../http/access-log.js";
import { isClosing, markClosing, trackResponse } from "../http/connections.js";
import { sendError } from "../http/error-pages.js";
import { type FrontEndRequest } from "../http/listener.js";
import { answerServerMethods } from "../http/server-methods.js";
import { traffic } from "../http/traffic.js";
import type { ErrorLog } from "../log/error-log.js";
import { RequestSpooler } from "../buffering/request-spool.js";
import { SpoolBudget } from "../buffering/spool-budget.js";
import { SpoolFiles } from "../buffering/spool-files.js";
import type { Resource } from "../static/resources.js";
import { Site } from "../static/site.js";
import { admitToBackend, type AppBound, AppRequest } from "./app-request.js";
import { AppRoute, SERVER_SOFTWARE, type InternalRedirect } from "./app-route.js";
import { BodyStrategy } from "./body-strategy.js";
import { exchangeContext } from "./exchange-context.js";
import { HealthChecks } from "./health.js";
import { intakeRefusal } from "./intake.js";
import { ProxyStage } from "./proxy-stage.js";
import type { SecureSite } from "./secure-site.js";
import {
  type CgiStage,
  cgiStage,
  expectsContinue,
  handlerEnviron,
  isRedirected,
  runCgiResource,
} from "./resource-route.js";
import type { RequestTracer } from "./request-trace.js";
import { ServerStatus } from "./server-status.js";
import { SiteStage } from "./site-stage.js";

export class FrontDoor {
  private requests = 0;
  private readonly site: Site;
  private readonly siteStage: SiteStage;
  private readonly route: AppRoute;
  private readonly body: BodyStrategy;
  private readonly admission: Admission;
  private readonly context: ExchangeContext;
  private readonly backend: Backend;
  /** --host-access-script and --auth-user-script: null when neither is given. */
  private readonly gate: AuthGate | null;
  private readonly cgi: CgiStage | null;
  /** --proxy-mount-point and --proxy-virtual-host; null when none is given. */
  readonly proxy: ProxyStage | null;

  constructor(
    private readonly config: ServerConfig,
    pool: DaemonPool,
    private readonly errorLog: ErrorLog,
    private readonly accessLog: AccessLog | null,
    /** HTTPS rules (redirects, client certificates, HSTS), with --https-port. */
    private readonly secure: SecureSite | null,
    /** --liveness-path, --readiness-path and --server-status: answered before anything
     *  else. */
    private readonly own: {
      health: HealthChecks;
      status: ServerStatus | null;
      tracer: RequestTracer | null;
    },
  ) {
    this.site = new Site(
      config,
      (message) => {
        errorLog.error(message);
      },
      (res, status, document) => {
        this.internalRequest(res, status, document);
      },
      (req, res, resource) => {
        this.takeResource(req, res, resource);
      },
    );
    this.route = new AppRoute(config, secure);
    const proxy = new ProxyStage(config, this.site.sendError, (message) => {
      errorLog.error(message);
    });
    this.proxy = proxy.empty ? null : proxy;
    this.gate = createAuthGate(config, errorLog, SERVER_SOFTWARE);
    this.siteStage = new SiteStage(this.site, secure, this.gate, this.proxy);
    const spooler = new RequestSpooler({
      files: new SpoolFiles(config.http.bodySpoolDirectory),
      budget: new SpoolBudget(config.http.bodySpoolSize),
      limitRequestBody: config.http.limitRequestBody,
      warn: (message) => {
        errorLog.warn(message);
      },
    });
    this.body = new BodyStrategy(spooler, (req, res, status) => {
      this.refuse(req, res, status);
    });
    this.admission = new Admission(config.clients.maxClients);
    this.context = exchangeContext(config, errorLog, this.site.sendError);
    this.cgi = cgiStage(config, errorLog, this.site.sendError, (req, res) => {
      this.serveRedirect(req, res);
    });
    this.backend = new DaemonBackend(pool, {
      requestTimeout: config.daemons.requestTimeout,
      socketTimeout: config.daemons.socketTimeout,
      logError: (message) => {
        errorLog.error(message);
      },
    });
  }

  handle(req: FrontEndRequest, res: ServerResponse, expectContinue: boolean): void {
    const request = this.arrive(req, res);
    // Pipelined after a request that was refused and closes the connection: never served.
    if (isClosing(req.socket)) return;
    const refusal = intakeRefusal(req, this.config.http, this.proxy);
    if (refusal !== null) {
      this.refuse(req, res, refusal);
      return;
    }
    // OPTIONS *, TRACE and CONNECT are the server's to answer, as Apache does.
    if (answerServerMethods(req, res, this.config.http.traceEnable, this.site.sendError)) return;
    // Probes, before host checks: kubelet sends Host: <pod IP> (health.ts).
    if (this.own.health.answer(req, res)) return;
    if (this.own.status?.answer(req, res) === true) return;
    if (this.proxy?.answerHost(req, res, expectContinue) === true) return;
    req.bodyFailed = (status) => {
      this.errorLog.info(`request ${req.url ?? ""}: request body failed (${status})`);
      markClosing(req.socket);
      if (res.headersSent) return false;
      this.site.sendError(res, status, { close: true });
      return true;
    };
    // HTTPS rules, host check, URL aliases, document root; the rest is the app's.
    let answered;
    try {
      answered = this.siteStage.answer(req, res, expectContinue);
    } catch (error) {
      this.siteFailed(res, error);
      return;
    }
    // Decided without I/O (the usual case): on to the app in this turn, no promise.
    if (answered === false) this.toApp(request, expectContinue);
    if (typeof answered === "boolean") return;
    answered.then(
      (done) => {
        if (!done && !req.socket.destroyed) this.toApp(request, expectContinue);
      },
      (error: unknown) => {
        this.siteFailed(res, error);
      },
    );
  }

  private siteFailed(res: ServerResponse, error: unknown): void {
    this.errorLog.error(`static files: ${String(error)}`);
    this.site.sendError(res, 500);
  }

  /** The listener closed: no request needs the auth helper any more. */
  stop(): void {
    this.gate?.stop();
  }

  /** Counts and logs a request from the moment it arrives. */
  private arrive(req: FrontEndRequest, res: ServerResponse): AppRequest {
    traffic.accesses += 1;
    this.accessLog?.watch(req, res);
    trackResponse(req, res);
    return this.identify(req, res);
  }

  /** A request's id (mod_wsgi.request_id) and start time. */
  private identify(req: IncomingMessage, res: ServerResponse): AppRequest {
    this.requests += 1;
    return new AppRequest(req, res, this.requests.toString(36), Date.now() / 1000);
  }

  /** Refused with `status`, and the connection closes after the answer. */
  private refuse(req: IncomingMessage, res: ServerResponse, status: number): void {
    markClosing(req.socket);
    this.site.sendError(res, status, { close: true });
  }

  private toApp(request: AppRequest, expectContinue: boolean): void {
    const { req, res } = request;
    const slash = this.route.slashRedirect(req);
    if (slash !== null) {
      this.site.sendError(res, 301, { headers: { Location: slash } });
      return;
    }
    const environ = this.route.environFor(req, request.id, null);
    if (environ === null) {
      this.site.sendError(res, 404);
      return;
    }
    this.gate?.describe(req, environ);
    this.body.prepare(req, res, expectContinue, (body) => {
      this.admit(request, environ, { expectContinue, body, context: this.context });
    });
  }

  /** A document-root file run by an --add-handler script or as a CGI script. */
  private takeResource(req: IncomingMessage, res: ServerResponse, resource: Resource): void {
    const request = this.identify(req, res);
    const environ = this.route.environFor(req, request.id, null, "/");
    if (environ === null) {
      this.site.sendError(res, 404);
      return;
    }
    if (resource.kind === "cgi") {
      if (this.cgi !== null) runCgiResource(this.config, this.cgi, { req, res, environ }, resource);
      return;
    }
    handlerEnviron(environ, resource);
    if (isRedirected(res)) {
      this.admit(request, environ, { expectContinue: false, body: null, context: this.context });
      return;
    }
    const expectContinue = expectsContinue(req);
    this.body.prepare(req, res, expectContinue, (body) => {
      this.admit(request, environ, { expectContinue, body, context: this.context });
    });
  }

  /** A CGI script's local redirect (a GET view of the request): the site, else the
   *  application, as an internal request without a body. */
  private serveRedirect(req: IncomingMessage, res: ServerResponse): void {
    void (async () => this.site.answer(req, res))().then(
      (answered) => {
        if (!answered && !res.writableEnded) this.internalRequest(res, 200, req.url ?? "/");
      },
      (error: unknown) => {
        this.errorLog.error(`CGI local redirect: ${String(error)}`);
        this.site.sendError(res, 500);
      },
    );
  }

  /** An internal GET of `document` for the app, with no body: an --error-document page
   *  (`status` >= 400; its own failure gets the built-in page, never a second internal
   *  request) or a CGI script's local redirect (200). */
  private internalRequest(res: ServerResponse, status: number, document: string): void {
    // The request it answers is logged and tracked already: only a new id and start.
    const request = this.identify(res.req, res);
    const redirect: InternalRedirect = { status, document };
    const environ = this.route.environFor(request.req, request.id, redirect);
    if (environ === null) {
      sendError(res, status === 200 ? 404 : status);
      return;
    }
    this.gate?.describe(request.req, environ);
    const context = status === 200 ? this.context : { ...this.context, errorPageFor: status };
    this.admit(request, environ, { expectContinue: false, body: null, context });
  }

  private admit(request: AppRequest, environ: Record<string, string>, how: AppBound): void {
    admitToBackend(this.admission, this.backend, request, environ, how, this.own.tracer);
  }
}
