/**
 * The site's stage of the front door: HTTPS rules (--https-only redirects, client
 * certificates), the access and auth scripts, then the site itself (host rules, the
 * reverse proxy's mount points, URL aliases, the document root). Synchronous when none of
 * them needs I/O, as for most requests bound for the application: they then reach it in
 * the same turn, without a promise and its callbacks each.
 */
import type { ServerResponse } from "node:http";
import type { AuthGate } from "../auth/gate.js";
import type { FrontEndRequest } from "../http/listener.js";
import type { Site } from "../static/site.js";
import type { ProxyStage } from "./proxy-stage.js";
import type { SecureSite } from "./secure-site.js";

export class SiteStage {
  constructor(
    private readonly site: Site,
    private readonly secure: SecureSite | null,
    private readonly gate: AuthGate | null,
    private readonly proxy: ProxyStage | null,
  ) {}

  /** True when the request was answered here; false: it goes to the application. */
  answer(
    req: FrontEndRequest,
    res: ServerResponse,
    expectContinue: boolean,
  ): boolean | Promise<boolean> {
    if (this.secure !== null || this.gate !== null) {
      return this.answerGuarded(req, res, expectContinue);
    }
    return this.answerSite(req, res, expectContinue);
  }

  /** With --https-port or an access/auth script, whose answers may take I/O. */
  private async answerGuarded(
    req: FrontEndRequest,
    res: ServerResponse,
    expectContinue: boolean,
  ): Promise<boolean> {
    if (this.secure !== null && (await this.secure.answer(req, res, this.site.sendError))) {
      return true;
    }
    // mod_wsgi-express's <Location />: static files, proxied paths and the app alike.
    if (this.gate !== null && !(await this.gate.admit(req, res, this.site.sendError))) {
      return true;
    }
    return this.answerSite(req, res, expectContinue);
  }

  private answerSite(
    req: FrontEndRequest,
    res: ServerResponse,
    expectContinue: boolean,
  ): boolean | Promise<boolean> {
    const proxy = this.proxy;
    if (proxy === null) return this.site.answer(req, res);
    return this.site.answer(req, res, () => proxy.answerPath(req, res, expectContinue));
  }
}
