/**
 * The front door: every request passes its stages in order, and leaves at the first
 * that answers it. Intake (framing, limits: intake.ts) -> site (host rules, URL aliases,
 * the document root: static/site.ts) -> route to the app (app-route.ts) -> body strategy
 * (body-strategy.ts) -> admission (--max-clients) -> an exchange with a daemon thread.
 */
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { ServerConfig } from "../config/server-config.js";
import { DaemonBackend } from "../daemon/daemon-backend.js";
import type { DaemonPool } from "../daemon/pool.js";
import type { Backend } from "../exchange/backend.js";
import { Admission } from "../exchange/admission.js";
import { Exchange, type ExchangeContext } from "../exchange/exchange.js";
import type { AccessLog } from "../http/access-log.js";
import { isClosing, markClosing, trackResponse } from "../http/connections.js";
import { sendError } from "../http/error-pages.js";
import {
  bodyHook,
  createHttpServer,
  type FrontEndRequest,
  serveRequests,
  type RequestHandler,
} from "../http/listener.js";
import { answerServerMethods } from "../http/server-methods.js";
import { traffic } from "../http/traffic.js";
import type { ErrorLog } from "../log/error-log.js";
import { RequestSpooler } from "../buffering/request-spool.js";
import { SpoolBudget } from "../buffering/spool-budget.js";
import { SpoolFiles } from "../buffering/spool-files.js";
import { Site } from "../static/site.js";
import { AppRoute, type InternalRedirect } from "./app-route.js";
import { BodyStrategy, type ReadyBody } from "./body-strategy.js";
import { exchangeContext } from "./exchange-context.js";
import { HealthChecks, withHealthChecks } from "./health.js";
import { intakeRefusal } from "./intake.js";
import type { SecureSite } from "./secure-site.js";
import { ServerStatus } from "./server-status.js";
import type { Telemetry } from "../telemetry/telemetry.js";
import { RequestTracer } from "./request-trace.js";

export function createFrontEnd(
  config: ServerConfig,
  pool: DaemonPool,
  errorLog: ErrorLog,
  accessLog: AccessLog | null,
  /** The HTTPS listener (an https.Server) and its rules, served by the same door. */
  https: { server: Server; site: SecureSite } | null = null,
  /** Telemetry (--enable-telemetry, --telemetry-service, --server-status); null: off. */
  telemetry: Telemetry | null = null,
): Server {
  const health = new HealthChecks(config.health, () => pool.appReady);
  const metrics = telemetry?.metrics ?? null;
  const status = config.health.serverStatus ? new ServerStatus(pool, metrics) : null;
  const tracer = telemetry && new RequestTracer(telemetry, config.telemetry);
  const door = new FrontDoor(config, pool, errorLog, accessLog, https?.site ?? null, {
    health,
    status,
    tracer,
  });
  const handle: RequestHandler = (req, res, expectContinue) => {
    door.handle(req, res, expectContinue);
  };
  if (https) serveRequests(https.server, config, errorLog, handle);
  return withHealthChecks(createHttpServer(config, errorLog, handle), health);
}

/**
 * What the app-bound stages know of one request. A class, not an object literal: V8
 * pretenured the literal's allocation site (it lives across the site stage's promise),
 * and everything the old-space copies referred to was then promoted too: ~3 KB a
 * request, a mark-compact a second under load, and a tenth of the front end's CPU in
 * the garbage collector (bench/PROFILE.md, "Tenth pass").
 */
class AppRequest {
  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    readonly id: string,
    /** When it arrived, in seconds since the epoch (mod_wsgi.request_start). */
    readonly start: number,
  ) {}
}

class FrontDoor {
  private requests = 0;
  private readonly site: Site;
  private readonly route: AppRoute;
  private readonly body: BodyStrategy;
  private readonly admission: Admission;
  private readonly context: ExchangeContext;
  private readonly backend: Backend;

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
        this.serveErrorDocument(res, status, document);
      },
    );
    this.route = new AppRoute(config, secure);
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
    const refusal = intakeRefusal(req, this.config.http);
    if (refusal !== null) {
      this.refuse(req, res, refusal);
      return;
    }
    // OPTIONS *, TRACE and CONNECT are the server's to answer, as Apache does.
    if (answerServerMethods(req, res, this.config.http.traceEnable, this.site.sendError)) return;
    // Probes, before host checks: kubelet sends Host: <pod IP> (health.ts).
    if (this.own.health.answer(req, res)) return;
    if (this.own.status?.answer(req, res) === true) return;
    req.bodyFailed = (status) => {
      this.errorLog.info(`request ${req.url ?? ""}: request body failed (${status})`);
      markClosing(req.socket);
      if (res.headersSent) return false;
      this.site.sendError(res, status, { close: true });
      return true;
    };
    // HTTPS rules, host check, URL aliases, document root; the rest is the app's.
    void this.answerSite(req, res).then(
      (answered) => {
        if (!answered && !req.socket.destroyed) this.toApp(request, expectContinue);
      },
      (error: unknown) => {
        this.errorLog.error(`static files: ${String(error)}`);
        this.site.sendError(res, 500);
      },
    );
  }

  /** The site's stage: true when it answered the request itself. */
  private async answerSite(req: FrontEndRequest, res: ServerResponse): Promise<boolean> {
    if (this.secure !== null && (await this.secure.answer(req, res, this.site.sendError))) {
      return true;
    }
    return this.site.answer(req, res);
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
    this.body.prepare(req, res, expectContinue, (body) => {
      this.admit(request, environ, { expectContinue, body, context: this.context });
    });
  }

  /** An --error-document page served by the app: an internal GET for it, with no body.
   *  Its own failure gets the built-in page, never a second internal request. */
  private serveErrorDocument(res: ServerResponse, status: number, document: string): void {
    // The request it answers is logged and tracked already: only a new id and start.
    const request = this.identify(res.req, res);
    const redirect: InternalRedirect = { status, document };
    const environ = this.route.environFor(request.req, request.id, redirect);
    if (environ === null) {
      sendError(res, status);
      return;
    }
    const context = { ...this.context, errorPageFor: status };
    this.admit(request, environ, { expectContinue: false, body: null, context });
  }

  /** Admission (--max-clients), then the exchange with the backend. */
  private admit(
    { req, res, id, start }: AppRequest,
    environ: Record<string, string>,
    how: { expectContinue: boolean; body: ReadyBody; context: ExchangeContext },
  ): void {
    this.admission.admit(res, (leave) => {
      if (res.writableEnded || req.socket.destroyed) return;
      const trace = this.own.tracer?.begin(req, res, start, leave) ?? null;
      const exchange = new Exchange(
        req,
        res,
        id,
        environ,
        start,
        how.expectContinue,
        how.context,
        this.backend,
        trace === null ? leave : trace.leave,
      );
      trace?.attach(exchange);
      const hook = bodyHook(req);
      if (hook) hook.bodyFailed = (status) => exchange.clientBodyFailed(status);
      exchange.run(how.body);
    });
  }
}
