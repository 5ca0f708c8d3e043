/**
 * The front door's auth stage: what mod_wsgi-express's `<Location />` applies to every
 * request of the site (reference §6.7), in Apache's order. First the host access script
 * (an access checker: False, or an error, is 403), then authentication with the user
 * script (401 with a challenge while it fails; its errors are 500, mod_auth_basic's
 * AUTH_GENERAL_ERROR), then with a group script `Require wsgi-group` (a user outside the
 * group is 401 again, as mod_authz_core answers an authenticated user). A check that
 * times out or loses its helper is a 500. Only a request that passes goes on, carrying
 * its user for REMOTE_USER, AUTH_TYPE and the access log's %u.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AuthConfig } from "../config/server-config.js";
import type { Environ } from "../exchange/environ.js";
import { recordUser } from "../http/access-log.js";
import type { ErrorSender } from "../http/error-pages.js";
import { requestUri } from "../http/intake.js";
import { plainAddress } from "../http/request-target.js";
import { authEnviron, type AuthEnvironSettings } from "./auth-environ.js";
import { basicChallenge, basicCredentials } from "./basic.js";
import { digestChallenge, digestMatches, parseDigest, type DigestResponse } from "./digest.js";
import type { CheckOutcome, CheckRequest } from "./helper.js";
import type { NonceBook } from "./nonces.js";

/** What the gate needs of the helper (helper.ts's AuthHelper). */
export interface Checker {
  check(request: CheckRequest): Promise<CheckOutcome>;
  stop(): void;
}

interface Refusal {
  readonly status: number;
  readonly headers?: Record<string, string>;
}

type Identified = { readonly user: string } | Refusal;

const SERVER_ERROR: Refusal = { status: 500 };

export class AuthGate {
  private readonly users = new WeakMap<IncomingMessage, string>();

  constructor(
    private readonly auth: AuthConfig,
    private readonly environSettings: AuthEnvironSettings,
    private readonly helper: Checker,
    private readonly nonces: NonceBook,
    /** Sent back unchanged by Digest clients (RFC 7616 §3.3). */
    private readonly opaque: string,
    private readonly log: { error(message: string): void },
  ) {}

  /** True when the request may go on; false when the gate answered it. */
  async admit(req: IncomingMessage, res: ServerResponse, sendError: ErrorSender): Promise<boolean> {
    const refusal = await this.decide(req, res, authEnviron(req, this.environSettings));
    if (refusal === null) return true;
    if (!req.socket.destroyed) sendError(res, refusal.status, { headers: refusal.headers });
    return false;
  }

  /** REMOTE_USER and AUTH_TYPE of an authenticated request's environ. */
  describe(req: IncomingMessage, environ: Environ): void {
    const user = this.users.get(req);
    if (user === undefined) return;
    environ.REMOTE_USER = user;
    environ.AUTH_TYPE = this.auth.type;
  }

  stop(): void {
    this.helper.stop();
  }

  private async decide(
    req: IncomingMessage,
    res: ServerResponse,
    environ: Environ,
  ): Promise<Refusal | null> {
    const { hostAccessScript, userScript, groupScript } = this.auth;
    if (hostAccessScript !== null) {
      const refusal = await this.checkAccess(req, environ, hostAccessScript);
      if (refusal !== null) return refusal;
    }
    if (userScript === null) return null;
    const who =
      this.auth.type === "Digest"
        ? await this.digest(req, res, environ, userScript)
        : await this.basic(req, res, environ, userScript);
    if (!("user" in who)) return who;
    recordUser(res, who.user);
    if (groupScript !== null) {
      const refusal = await this.checkGroups(req, environ, groupScript, who.user);
      if (refusal !== null) return refusal;
    }
    this.users.set(req, who.user);
    return null;
  }

  /** WSGIAccessScript: allow_access(environ, host), host the client's address
   *  (HostnameLookups Off). None defers to the other checks, and there are none. */
  private async checkAccess(
    req: IncomingMessage,
    environ: Environ,
    script: string,
  ): Promise<Refusal | null> {
    const host = plainAddress(req.socket.remoteAddress);
    const outcome = await this.helper.check({ hook: "access", script, environ, args: [host] });
    if (outcome.kind === "failed") return SERVER_ERROR;
    if (outcome.verdict === "allow" || outcome.verdict === "none") return null;
    this.log.error(`client denied by the host access script: ${requestUri(req)}`);
    return { status: 403 };
  }

  private async basic(
    req: IncomingMessage,
    res: ServerResponse,
    environ: Environ,
    script: string,
  ): Promise<Identified> {
    const credentials = basicCredentials(req.headers.authorization);
    if (credentials === null) return this.challenge(false);
    const { user, password } = credentials;
    recordUser(res, user);
    const outcome = await this.helper.check({
      hook: "check_password",
      script,
      environ,
      args: [user, password],
    });
    if (outcome.kind === "failed") return SERVER_ERROR;
    switch (outcome.verdict) {
      case "granted":
        // A str from check_password replaces the user name (REMOTE_USER, logs, groups).
        return { user: typeof outcome.value === "string" ? outcome.value : user };
      case "denied":
        return this.refuseUser(req, `user ${user}: authentication failure: Password Mismatch`);
      case "unknown":
        return this.refuseUser(req, `user ${user} not found`);
      default:
        return SERVER_ERROR;
    }
  }

  private async digest(
    req: IncomingMessage,
    res: ServerResponse,
    environ: Environ,
    script: string,
  ): Promise<Identified> {
    const header = parseDigest(req.headers.authorization);
    if (header.kind === "absent") return this.challenge(false);
    const uri = requestUri(req);
    if (header.kind === "malformed") {
      this.log.error(`Digest: invalid Authorization header (${header.why}): ${uri}`);
      return { status: 400 };
    }
    const answer = header.response;
    recordUser(res, answer.username);
    // mod_auth_digest: a response for another URI is a bad request, not a bad password.
    if (answer.uri !== uri) {
      this.log.error(`Digest: uri mismatch - <${answer.uri}> does not match <${uri}>`);
      return { status: 400 };
    }
    const state = this.nonces.state(answer.nonce);
    const mismatch = this.digestMismatch(answer, state);
    if (mismatch !== null) return this.refuseUser(req, mismatch);
    const outcome = await this.helper.check({
      hook: "get_realm_hash",
      script,
      environ,
      args: [answer.username, this.auth.realm],
    });
    if (outcome.kind === "failed") return SERVER_ERROR;
    if (outcome.verdict === "unknown")
      return this.refuseUser(req, `user ${answer.username} not found`);
    if (outcome.verdict !== "found" || typeof outcome.value !== "string") return SERVER_ERROR;
    if (!digestMatches(answer, req.method ?? "GET", outcome.value)) {
      return this.refuseUser(req, `user ${answer.username}: password mismatch`);
    }
    // The right password on an expired nonce: stale=true, the client retries at once.
    if (state === "stale") return this.challenge(true);
    if (!this.nonces.accept(answer.nonce, answer.count)) {
      return this.refuseUser(
        req,
        `user ${answer.username}: nonce count ${answer.nc} already used: possible replay`,
      );
    }
    return { user: answer.username };
  }

  /** Why a Digest response cannot be ours, before the script is asked; null if it can. */
  private digestMismatch(answer: DigestResponse, state: string): string | null {
    if (answer.realm !== this.auth.realm) return `realm mismatch (${answer.realm})`;
    if (answer.opaque !== null && answer.opaque !== this.opaque) return "opaque mismatch";
    if (state === "forged") return `invalid nonce ${answer.nonce}`;
    return null;
  }

  /** `Require wsgi-group`: the user's groups must include --auth-group. */
  private async checkGroups(
    req: IncomingMessage,
    environ: Environ,
    script: string,
    user: string,
  ): Promise<Refusal | null> {
    const outcome = await this.helper.check({ hook: "groups", script, environ, args: [user] });
    if (outcome.kind === "failed") return SERVER_ERROR;
    const groups = Array.isArray(outcome.value) ? (outcome.value as unknown[]) : null;
    if (outcome.verdict !== "groups" || groups === null) {
      return this.refuseUser(req, `user ${user}: authorization failure (group script error)`);
    }
    if (groups.includes(this.auth.group)) return null;
    const why =
      groups.length === 0 ? "not a member of any groups" : "not a member of designated groups";
    return this.refuseUser(req, `Authorization of user ${user} failed: ${why}`);
  }

  private refuseUser(req: IncomingMessage, why: string): Refusal {
    this.log.error(`${why}: ${requestUri(req)}`);
    return this.challenge(false);
  }

  private challenge(stale: boolean): Refusal {
    const { realm, type } = this.auth;
    const challenge =
      type === "Digest"
        ? digestChallenge(realm, this.nonces.issue(), this.opaque, stale)
        : basicChallenge(realm);
    return { status: 401, headers: { "WWW-Authenticate": challenge } };
  }
}
