/**
 * What the front end answers itself, in mod_wsgi-express's order (reference §1.1): the
 * virtual-host check, then URL aliases and the document root; everything else is the
 * application's. Built once per server from the frozen config.
 */
import { readFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { ServerConfig } from "../config/server-config.js";
import { plainAddress, splitTarget } from "../http/request-target.js";
import { absoluteAuthority } from "../http/request-guards.js";
import { checkHost, type HostRules } from "../http/virtual-hosts.js";
import { errorDocuments, type AppErrorPage } from "./error-documents.js";
import { parseMimeTypes } from "./mime.js";
import type { ErrorSender } from "../http/error-pages.js";
import { Docs, DOCS_DIRECTORY } from "./docs.js";
import type { ResourceTaker } from "./resources.js";
import { StaticFiles } from "./static-files.js";

export class Site {
  /** sendError with the --error-document pages applied. */
  readonly sendError: ErrorSender;
  private readonly files: StaticFiles;
  private readonly hosts: HostRules;
  private readonly docs: Docs | null;
  private readonly staticOnly: boolean;

  /** `appPage` fetches --error-document pages that the application serves;
   *  `takeResource` runs --add-handler and --with-cgi files. */
  constructor(
    config: ServerConfig,
    logError: (message: string) => void,
    appPage: AppErrorPage | null = null,
    takeResource: ResourceTaker | null = null,
  ) {
    const { site } = config;
    // Read once at start-up; resolution already checked that the file exists.
    const mime = parseMimeTypes(
      site.mimeTypes === null ? "" : readFileSync(site.mimeTypes, "latin1"),
    );
    this.sendError = errorDocuments({ site, mime, logError, appPage });
    this.files = new StaticFiles(site, mime, this.sendError, takeResource);
    this.docs = site.features.docs ? new Docs(DOCS_DIRECTORY, this.sendError) : null;
    this.staticOnly = site.features.staticOnly;
    this.hosts = {
      serverName: site.virtualHost,
      aliases: config.listen.serverAliases,
      allowLocalhost: site.allowLocalhost,
    };
  }

  /** True when the request was answered here; false: it goes to the application.
   *  `beforeFiles` (the reverse proxy's mount points) may take it after the host check.
   *  Synchronous unless the docs or the disk need a look. */
  answer(
    req: IncomingMessage,
    res: ServerResponse,
    beforeFiles: ((req: IncomingMessage, res: ServerResponse) => boolean) | null = null,
  ): boolean | Promise<boolean> {
    const verdict = checkHost(this.hosts, {
      // Absolute-form: the target's authority is the host, not the Host field (RFC 9112
      // §3.2.2), as the app will see it too.
      host: absoluteAuthority(req.url ?? "") ?? req.headers.host,
      remoteAddress: plainAddress(req.socket.remoteAddress),
      uri: splitTarget(req.url ?? "/").uri,
      port: req.socket.localPort ?? 0,
      scheme: "encrypted" in req.socket ? "https" : "http",
    });
    if (verdict.kind === "forbidden") {
      this.sendError(res, 403);
      return true;
    }
    if (verdict.kind === "redirect") {
      this.sendError(res, 301, { headers: { Location: verdict.location } });
      return true;
    }
    if (beforeFiles?.(req, res) === true) return true;
    if (this.docs !== null || this.staticOnly) return this.answerSlowly(req, res);
    return this.files.answer(req, res);
  }

  /** With --enable-docs or --application-type static. */
  private async answerSlowly(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    if (this.docs !== null && (await this.docs.answer(req, res))) return true;
    if (!this.staticOnly) return this.files.answer(req, res);
    // --application-type static: no application to fall back to (MOD_WSGI_STATIC_ONLY
    // leaves out mod_wsgi-express's rewrite to the app), so Apache's 404.
    if (!(await this.files.answer(req, res))) this.sendError(res, 404);
    return true;
  }
}
