/**
 * `--enable-docs`: mod_wsgi-express serves its bundled documentation at /__wsgi__/docs
 * (an Alias with DirectoryIndex index.html). Ours are the Markdown pages of docs/,
 * shipped in the npm package: an HTML index of them at /__wsgi__/docs/, and each page
 * as plain UTF-8 text (a browser shows text/plain; text/markdown is downloaded).
 */
import { readdirSync } from "node:fs";
import { readFile } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { countBody } from "../http/access-log.js";
import type { ErrorSender } from "../http/error-pages.js";
import { splitTarget } from "../http/request-target.js";

export const DOCS_DIRECTORY = fileURLToPath(new URL("../../../docs/", import.meta.url));
export const DOCS_PATH = "/__wsgi__/docs";

export class Docs {
  /** The page names, read once: the set of URLs this serves never changes. */
  private readonly pages: readonly string[];

  constructor(
    private readonly directory: string,
    private readonly sendError: ErrorSender,
  ) {
    let names: string[] = [];
    try {
      names = readdirSync(directory).filter((name) => /^[\w.-]+\.md$/.test(name));
    } catch {
      // An install without docs/ serves an empty index rather than failing to start.
    }
    this.pages = names.sort();
  }

  /** True when the request is for the docs (answered); false: not ours. */
  async answer(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const { path } = splitTarget(req.url ?? "/");
    if (path !== DOCS_PATH && !path.startsWith(`${DOCS_PATH}/`)) return false;
    if (req.method !== "GET" && req.method !== "HEAD") {
      this.sendError(res, 405, { headers: { Allow: "GET, HEAD" } });
      return true;
    }
    if (path === DOCS_PATH) {
      this.sendError(res, 301, { headers: { Location: `${DOCS_PATH}/` } });
      return true;
    }
    const name = path.slice(DOCS_PATH.length + 1);
    if (name === "") {
      send(req, res, "text/html; charset=utf-8", Buffer.from(this.index()));
      return true;
    }
    if (!this.pages.includes(name)) {
      this.sendError(res, 404);
      return true;
    }
    const text = await readFile(join(this.directory, name));
    send(req, res, "text/plain; charset=utf-8", text);
    return true;
  }

  private index(): string {
    const items = this.pages
      .map((name) => `<li><a href="${name}">${name.replace(/\.md$/, "")}</a></li>`)
      .join("\n");
    return (
      '<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n' +
      "<title>wsgi-express documentation</title>\n</head>\n<body>\n" +
      `<h1>wsgi-express documentation</h1>\n<ul>\n${items}\n</ul>\n</body>\n</html>\n`
    );
  }
}

function send(req: IncomingMessage, res: ServerResponse, type: string, body: Buffer): void {
  res.writeHead(200, { "Content-Type": type, "Content-Length": body.length });
  if (req.method === "HEAD") {
    res.end();
    return;
  }
  res.end(body);
  countBody(res, body.length);
}
