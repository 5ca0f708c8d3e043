/**
 * Document-root files that are run rather than sent: `--add-handler` extensions (a
 * Python handler script in the daemons, as mod_wsgi-express's AddHandler wsgi-resource)
 * and, with `--with-cgi`, `.cgi` files (AddHandler cgi-script .cgi, Options +ExecCGI).
 * Found here, taken by the front door (src/front-door/resource-route.ts).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { extname } from "node:path";
import type { SiteFeatures } from "../config/resolve-site-features.js";
import { locate } from "./locate.js";

export interface Resource {
  /** `handler`: a Python handler script runs it; `cgi`: it is run as a CGI script. */
  readonly kind: "handler" | "cgi";
  /** The file, its real path (SCRIPT_FILENAME). */
  readonly file: string;
  /** The handler script; null for CGI. */
  readonly script: string | null;
  /** The URL path that names the file, decoded (SCRIPT_NAME). */
  readonly scriptName: string;
  /** What follows it in the URL path, decoded (PATH_INFO; Apache's AcceptPathInfo
   *  default lets a script or handler have one). */
  readonly pathInfo: string;
}

export type ResourceTaker = (req: IncomingMessage, res: ServerResponse, resource: Resource) => void;

export class Resources {
  private readonly handlers: ReadonlyMap<string, string>;

  constructor(private readonly features: SiteFeatures) {
    const handlers = new Map<string, string>();
    // The first --add-handler of an extension wins.
    for (const { extension, script } of features.handlers) {
      if (!handlers.has(extension)) handlers.set(extension, script);
    }
    this.handlers = handlers;
  }

  /** Whether anything is run at all: else nothing here is ever looked at. */
  get active(): boolean {
    return this.handlers.size > 0 || this.features.cgi !== null;
  }

  /** What runs a file of this name, or null when it is sent as it is. */
  kindOf(name: string): { kind: "handler" | "cgi"; script: string | null } | null {
    const extension = extname(name).toLowerCase();
    if (extension === "") return null;
    const script = this.handlers.get(extension);
    if (script !== undefined) return { kind: "handler", script };
    if (extension === ".cgi" && this.features.cgi !== null) return { kind: "cgi", script: null };
    return null;
  }

  /**
   * A file found at `file` for all the segments: a resource when its extension says so.
   * Not found: the longest leading run of segments that is a resource file, the rest
   * being its PATH_INFO (`/report.cgi/2024/june`).
   */
  async find(
    root: string,
    segments: readonly string[],
    file: string | null,
  ): Promise<Resource | null> {
    if (file !== null) {
      const kind = this.kindOf(file);
      return kind === null ? null : { ...kind, file, scriptName: urlPath(segments), pathInfo: "" };
    }
    for (let length = segments.length - 1; length > 0; length -= 1) {
      const head = segments.slice(0, length);
      const kind = this.kindOf(head[length - 1] ?? "");
      if (kind === null) continue;
      const found = await locate(root, head);
      if (found.kind !== "file") continue;
      return {
        ...kind,
        file: found.path,
        scriptName: urlPath(head),
        pathInfo: urlPath(segments.slice(length)),
      };
    }
    return null;
  }
}

function urlPath(segments: readonly string[]): string {
  return `/${segments.join("/")}`;
}
