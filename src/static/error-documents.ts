/**
 * `--error-document STATUS URL`: the front end's own error responses (and, with
 * `--error-override`, the application's) use that page. A local URL path is resolved
 * like any static request (URL aliases, then the document root) and its file is sent with
 * the error status, as Apache's internal redirect does; an http(s) URL is redirected to
 * (302, as Apache does for a remote ErrorDocument). A path the static routes give to the
 * application is fetched from it by an internal GET (body-less, REDIRECT_STATUS set) and
 * sent with the error's status; anything else gets the built-in page.
 */
import { createReadStream } from "node:fs";
import { STATUS_CODES, type ServerResponse } from "node:http";
import { pipeline } from "node:stream";
import type { SiteConfig } from "../config/server-config.js";
import { countBody } from "../http/access-log.js";
import { sendError, type ErrorSender } from "../http/error-pages.js";
import { locate } from "./locate.js";
import { typeForFile, type MimeTable } from "./mime.js";
import { routeStatic } from "./route.js";

/** Fetches an error page from the application (src/front-door/front-door.ts). */
export type AppErrorPage = (res: ServerResponse, status: number, document: string) => void;

interface Env {
  readonly site: SiteConfig;
  readonly mime: MimeTable;
  readonly logError: (message: string) => void;
  readonly appPage: AppErrorPage | null;
}

export function errorDocuments(env: Env): ErrorSender {
  const { site, logError } = env;
  const documents = new Map(site.errorDocuments);
  if (documents.size === 0) return sendError;
  return (res, status, options = {}) => {
    const document = documents.get(status);
    if (document === undefined || res.headersSent) {
      sendError(res, status, options);
    } else if (/^https?:\/\//i.test(document)) {
      sendError(res, 302, { ...options, headers: { ...options.headers, Location: document } });
    } else {
      sendDocument(res, status, document, options, env).catch((error: unknown) => {
        logError(`error document ${document}: ${String(error)}`);
        sendError(res, status, options);
      });
    }
  };
}

async function sendDocument(
  res: ServerResponse,
  status: number,
  document: string,
  options: { close?: boolean; headers?: Record<string, string> },
  env: Env,
): Promise<void> {
  const route = routeStatic(document.split("?")[0] ?? "/", env.site);
  const found = route.kind === "disk" ? await locate(route.root, route.segments) : null;
  const type = found?.kind === "file" ? await typeForFile(found.path, env.mime) : null;
  if (res.headersSent || res.destroyed) return;
  const toApp =
    route.kind === "app" ||
    (route.kind === "disk" && !route.alias && found?.kind !== "file" && found?.kind !== "outside");
  if (toApp && env.appPage !== null) {
    // A refusal that closes the connection (its body was never read) still does.
    if (options.close) res.shouldKeepAlive = false;
    env.appPage(res, status, document);
    return;
  }
  if (found?.kind !== "file") {
    env.logError(`error document ${document} for ${status} is neither a static file nor the app's`);
    sendError(res, status, options);
    return;
  }
  const headers: Record<string, string | number> = {
    "Content-Type": type ?? "application/octet-stream",
    "Content-Length": found.stats.size,
    ...options.headers,
  };
  if (options.close) headers.Connection = "close";
  res.writeHead(status, STATUS_CODES[status] ?? "Error", headers);
  countBody(res, found.stats.size);
  pipeline(createReadStream(found.path), res, (error) => {
    if (error) res.destroy();
  });
}
