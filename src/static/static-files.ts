/**
 * Serves what routeStatic() and locate() found: files through `send` (Range, ETag,
 * Last-Modified and the conditional requests of RFC 9110 §13), directories by index or
 * listing. Files are streamed with fs read streams (node:http has no sendfile path).
 */
import { createReadStream, type Stats } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { basename, dirname } from "node:path";
import { pipeline } from "node:stream";
import { createGzip } from "node:zlib";
import etag from "etag";
import type { SiteConfig } from "../config/server-config.js";
import { countBody } from "../http/access-log.js";
import type { ErrorSender } from "../http/error-pages.js";
import { splitTarget } from "../http/request-target.js";
import { acceptsGzip, compressibleType, gzipETag } from "../http/compress.js";
import { sendModule } from "./libraries.js";
import { directoryListing } from "./listing.js";
import { locate } from "./locate.js";
import { typeForFile, type MimeTable } from "./mime.js";
import { Resources, type ResourceTaker } from "./resources.js";
import { RootListing } from "./root-listing.js";
import { routeStatic, type Route } from "./route.js";

type DiskRoute = Extract<Route, { kind: "disk" }>;

const READ_METHODS = new Set(["GET", "HEAD"]);

export class StaticFiles {
  private readonly rootListing: RootListing;
  private readonly resources: Resources;

  constructor(
    private readonly site: SiteConfig,
    private readonly mime: MimeTable,
    private readonly sendError: ErrorSender,
    /** Runs --add-handler and --with-cgi files (the front door's); null: none. */
    private readonly takeResource: ResourceTaker | null = null,
  ) {
    this.rootListing = new RootListing(site.documentRoot);
    this.resources = new Resources(site.features);
  }

  /** Answers the request if it names a static resource (or must be refused); false when
   *  it belongs to the application. Synchronous when no disk needs a look: most requests
   *  for the application then reach it in the same turn, without a promise each. */
  answer(req: IncomingMessage, res: ServerResponse): boolean | Promise<boolean> {
    const target = splitTarget(req.url ?? "/");
    const route = routeStatic(target.path, this.site);
    switch (route.kind) {
      case "app":
        return false;
      case "reject":
        this.sendError(res, route.status);
        return true;
      case "missing":
        this.sendError(res, 404);
        return true;
      case "disk": {
        if (route.alias) return this.fromDisk(req, res, route, target);
        const maybe = this.mightBeInDocumentRoot(route.segments);
        if (maybe === false) return false;
        if (maybe === true) return this.fromDisk(req, res, route, target);
        return maybe.then((found) => found && this.fromDisk(req, res, route, target));
      }
    }
  }

  /** False when the document root certainly has nothing for these segments, so the
   *  request is the application's without a look at the disk. */
  private mightBeInDocumentRoot(segments: readonly string[]): boolean | Promise<boolean> {
    const first = segments[0];
    // The root itself is static only with an index or a listing (mod_wsgi-express's `!-d`).
    if (first === undefined) return this.site.directoryIndex !== null || this.site.directoryListing;
    return this.rootListing.mayContain(first);
  }

  private async fromDisk(
    req: IncomingMessage,
    res: ServerResponse,
    route: DiskRoute,
    target: { path: string; query: string },
  ): Promise<boolean> {
    const found = await locate(route.root, route.segments);
    if (!route.alias && this.takeResource !== null && this.resources.active) {
      const file = found.kind === "file" && !route.trailingSlash ? found.path : null;
      const resource = await this.resources.find(route.root, route.segments, file);
      if (resource !== null) {
        this.takeResource(req, res, resource);
        return true;
      }
    }
    if (found.kind === "missing" || (found.kind === "file" && route.trailingSlash)) {
      // Not a file: the application's, as mod_wsgi-express's rewrite fallback sends it;
      // under a URL alias there is no fallback.
      if (!route.alias) return false;
      this.sendError(res, 404);
      return true;
    }
    if (found.kind === "outside") {
      this.sendError(res, 404);
      return true;
    }
    if (found.kind === "directory") {
      const { directoryIndex, directoryListing } = this.site;
      // Directories are static only with an index or listing (mod_wsgi-express's `!-d`).
      if (directoryIndex === null && !directoryListing && !route.alias) return false;
    }
    if (!READ_METHODS.has(req.method ?? "")) {
      this.sendError(res, 405, { headers: { Allow: "GET, HEAD" } });
      return true;
    }
    if (found.kind === "file") await this.sendFile(req, res, found.path);
    else await this.directory(req, res, found.path, route, target);
    return true;
  }

  private async directory(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    route: DiskRoute,
    target: { path: string; query: string },
  ): Promise<void> {
    if (!route.trailingSlash) {
      // mod_dir's DirectorySlash: the canonical URL of a directory ends with `/`.
      const query = target.query === "" ? "" : `?${target.query}`;
      this.sendError(res, 301, { headers: { Location: `${target.path}/${query}` } });
      return;
    }
    const index = this.site.directoryIndex;
    if (index !== null) {
      const found = await locate(route.root, [...route.segments, index]);
      if (found.kind === "file") {
        await this.sendFile(req, res, found.path);
        return;
      }
    }
    if (!this.site.directoryListing) {
      this.sendError(res, 403);
      return;
    }
    const body = Buffer.from(await directoryListing(path, target.path));
    res.writeHead(200, {
      "Content-Type": "text/html; charset=utf-8",
      "Content-Length": body.length,
    });
    res.end(body);
    countBody(res, body.length);
  }

  private async sendFile(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const [send, type] = await Promise.all([sendModule(), typeForFile(path, this.mime)]);
    const compressible = this.site.compressResponses && compressibleType(type);
    const gzip = compressible && acceptsGzip(req.headers["accept-encoding"]);
    // `send` answers a HEAD itself, with the file's length; the gzip variant has none,
    // so send sees a HEAD as the GET it describes and the body is left out below.
    const asked = gzip && req.method === "HEAD" ? asGet(req) : req;
    // `send` decodes its path argument, so the real file name is passed encoded; the
    // guards already ran, so its own dotfile refusal would only trip on the root's path.
    const stream = send(asked, encodeURIComponent(basename(path)), {
      root: dirname(path),
      dotfiles: "allow",
      index: false,
      cacheControl: false,
      // A byte range of a gzip body is meaningless: mod_deflate drops ranges too.
      acceptRanges: !gzip,
    });
    stream.on("headers", (out: ServerResponse, _file: string, stat: Stats) => {
      out.setHeader("Content-Type", type);
      if (compressible) out.setHeader("Vary", "Accept-Encoding");
      // Set before send compares validators, so a conditional GET of the gzip variant
      // with its own ETag is fresh (304); send keeps an ETag it finds set.
      if (gzip) out.setHeader("ETag", gzipETag(etag(stat)));
    });
    stream.on("error", (error: { status?: number; headers?: Record<string, string> }) => {
      this.sendError(res, error.status ?? 500, error.headers ? { headers: error.headers } : {});
    });
    if (gzip) {
      stream.stream = (file: string, options?: object) => {
        res.removeHeader("Content-Length");
        res.setHeader("Content-Encoding", "gzip");
        if (req.method === "HEAD") {
          res.end();
          return;
        }
        const gzipped = createGzip();
        gzipped.on("data", (chunk: Buffer) => {
          countBody(res, chunk.length);
        });
        pipeline(createReadStream(file, options), gzipped, res, (error) => {
          if (error) res.destroy();
        });
      };
    }
    stream.on("stream", (file: NodeJS.ReadableStream) => {
      file.on("data", (chunk: Buffer) => {
        countBody(res, chunk.length);
      });
    });
    stream.pipe(res);
  }
}

/** The request as a GET, for `send`: the same headers, another method. */
function asGet(req: IncomingMessage): IncomingMessage {
  return Object.create(req, { method: { value: "GET" } }) as IncomingMessage;
}
