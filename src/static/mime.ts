/**
 * Content types for static files: a `--mime-types` file (Apache's mime.types format) is
 * consulted first, then the `mime-types` package (the table `send` itself uses), loaded
 * with the first static file rather than at start-up (see libraries.ts).
 */
import { extname } from "node:path";
import { mimeTypes } from "./libraries.js";

export type MimeTable = ReadonlyMap<string, string>;

/** Parses `type ext ext ...` lines; `#` starts a comment. Extensions are lower-cased. */
export function parseMimeTypes(text: string): MimeTable {
  const table = new Map<string, string>();
  for (const line of text.split("\n")) {
    const words = (line.split("#")[0] ?? "").trim().split(/\s+/);
    const type = words.shift();
    if (!type?.includes("/")) continue;
    for (const ext of words) if (ext !== "") table.set(ext.toLowerCase(), type.toLowerCase());
  }
  return table;
}

/** The Content-Type for a file, with a charset for text types as `send` would add. */
export async function typeForFile(path: string, table: MimeTable): Promise<string> {
  const { contentType } = await mimeTypes();
  const ext = extname(path).slice(1).toLowerCase();
  const own = ext === "" ? undefined : table.get(ext);
  const type = own === undefined ? contentType(extname(path)) : contentType(own);
  return type === false ? "application/octet-stream" : type;
}
