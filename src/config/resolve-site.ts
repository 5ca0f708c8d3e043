/**
 * `--server-name`/`--allow-localhost` host checks, the document root, URL aliases, error
 * documents, compression and `--map-head-to-get` (the front end's own serving, src/static/).
 */
import { join, resolve } from "node:path";
import { optionError } from "../errors.js";
import type { ResolveContext } from "./context.js";
import type { OptionReader } from "./option-reader.js";
import { existingDirectory, existingFile } from "./resolve-paths.js";
import { resolveSiteFeatures, staticDocumentRoot } from "./resolve-site-features.js";
import type { SiteConfig, UrlAlias } from "./server-config.js";

export function resolveSite(
  options: OptionReader,
  serverRoot: string,
  context: ResolveContext,
): SiteConfig {
  const givenRoot = options.optionalString("document-root");
  const staticRoot = givenRoot === null ? staticDocumentRoot(options, context) : null;
  const compressResponses = options.flag("compress-responses");
  const mimeTypes = options.optionalString("mime-types");
  return {
    virtualHost: options.optionalString("server-name"),
    allowLocalhost: options.flag("allow-localhost"),
    documentRoot:
      givenRoot === null
        ? (staticRoot ?? join(serverRoot, "htdocs"))
        : existingDirectory("--document-root", givenRoot, context),
    defaultDocumentRoot: givenRoot === null && staticRoot === null,
    directoryIndex: directoryIndex(options.optionalString("directory-index")),
    directoryListing: options.flag("directory-listing"),
    urlAliases: urlAliases(options, context),
    errorDocuments: errorDocuments(options),
    errorOverride: options.flag("error-override"),
    compressResponses,
    mapHeadToGet: mapHeadToGet(options.string("map-head-to-get"), compressResponses),
    mimeTypes: mimeTypes === null ? null : existingFile("--mime-types", mimeTypes, "file", context),
    features: resolveSiteFeatures(options, context),
  };
}

function directoryIndex(name: string | null): string | null {
  if (name === null) return null;
  if (name === "" || name.includes("/") || name === "." || name === "..") {
    throw optionError("WSGIX_ERR_OPTION_VALUE", "--directory-index", "a file name", name);
  }
  return name;
}

/** Apache's Alias matches whole path segments; a trailing `/` is dropped so that
 *  `/static` and `/static/` mean the same. Longest first, so the most specific wins. */
function urlAliases(options: OptionReader, context: ResolveContext): UrlAlias[] {
  return options
    .pairs("url-alias")
    .map(([urlPath, target]) => {
      if (!urlPath.startsWith("/") || urlPath.includes("\0")) {
        throw optionError(
          "WSGIX_ERR_OPTION_VALUE",
          "--url-alias",
          "a URL path starting with /",
          urlPath,
        );
      }
      const trimmed = urlPath.length > 1 ? urlPath.replace(/\/+$/, "") || "/" : urlPath;
      return { urlPath: trimmed, target: resolve(context.cwd, target) };
    })
    .sort((a, b) => b.urlPath.length - a.urlPath.length);
}

function errorDocuments(options: OptionReader): [number, string][] {
  return options.pairs("error-document").map(([status, target]) => {
    const code = Number(status);
    if (!/^\d{3}$/.test(status) || code < 400 || code > 599) {
      throw optionError(
        "WSGIX_ERR_OPTION_VALUE",
        "--error-document",
        "a status from 400 to 599",
        status,
      );
    }
    if (!target.startsWith("/") && !/^https?:\/\//i.test(target)) {
      throw optionError(
        "WSGIX_ERR_OPTION_VALUE",
        "--error-document",
        "a URL path starting with / or an http(s):// URL",
        target,
      );
    }
    return [code, target];
  });
}

/** mod_wsgi's Auto maps HEAD to GET when an output filter needs the whole body; the only
 *  such filter here is --compress-responses (mod_deflate). */
function mapHeadToGet(value: string, compress: boolean): boolean {
  const choice = value.toLowerCase();
  return choice === "on" || (choice === "auto" && compress);
}
