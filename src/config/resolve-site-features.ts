/**
 * What the document root does besides serving files: `--application-type static` (no
 * application), `--enable-docs`, `--add-handler` scripts and `--with-cgi`. A part of
 * SiteConfig of its own, so that resolve-site.ts stays about files and hosts.
 */
import { optionError } from "../errors.js";
import type { ResolveContext } from "./context.js";
import type { OptionReader } from "./option-reader.js";
import { existingDirectory, existingFile } from "./resolve-paths.js";

export interface HandlerScript {
  /** With its leading dot, lower case: Apache's AddHandler matches case-insensitively. */
  readonly extension: string;
  /** The Python handler script, absolute. */
  readonly script: string;
}

export interface SiteFeatures {
  /** `--application-type static`: there is no application; what is not a file is 404. */
  readonly staticOnly: boolean;
  /** `--enable-docs`, also on when no SCRIPT is given (as mod_wsgi-express does):
   *  our documentation at /__wsgi__/docs. */
  readonly docs: boolean;
  /** `--add-handler`, in command-line order (the first of an extension wins). */
  readonly handlers: readonly HandlerScript[];
  /** `--with-cgi`: `.cgi` files run as CGI/1.1; the seconds a script may stay silent
   *  (Apache's Timeout, which mod_wsgi-express sets from --socket-timeout). Null: off. */
  readonly cgi: { readonly timeout: number } | null;
}

export function resolveSiteFeatures(options: OptionReader, context: ResolveContext): SiteFeatures {
  const type = options.string("application-type");
  const entry = options.optionalString("entry-point") ?? options.script;
  return {
    staticOnly: type === "static",
    docs: options.flag("enable-docs") || (entry === null && type !== "static"),
    handlers: handlers(options, context),
    cgi: options.flag("with-cgi") ? { timeout: options.number("socket-timeout") } : null,
  };
}

/**
 * With `--application-type static`, mod_wsgi-express serves SCRIPT as the document root
 * (the current directory when there is none) unless --document-root is given.
 */
export function staticDocumentRoot(options: OptionReader, context: ResolveContext): string | null {
  if (options.string("application-type") !== "static") return null;
  const fromOption = options.optionalString("entry-point");
  const entry = fromOption ?? options.script;
  if (entry === null) return context.cwd;
  return existingDirectory(fromOption === null ? "SCRIPT" : "--entry-point", entry, context);
}

const EXTENSION = /^\.?[^./\0]+$/;

function handlers(options: OptionReader, context: ResolveContext): HandlerScript[] {
  return options.pairs("add-handler").map(([extension, script]) => {
    if (!EXTENSION.test(extension)) {
      throw optionError(
        "WSGIX_ERR_OPTION_VALUE",
        "--add-handler",
        "a file extension such as .ext",
        extension,
      );
    }
    const withDot = extension.startsWith(".") ? extension : `.${extension}`;
    return {
      extension: withDot.toLowerCase(),
      script: existingFile("--add-handler", script, "Python handler script", context),
    };
  });
}
