/** The package's version, for `--version`: read from package.json, never copied. */
import { readFileSync } from "node:fs";

// dist/src/options/version.js and src/options/version.ts both sit three levels down.
const MANIFEST = new URL("../../../package.json", import.meta.url);

export function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(MANIFEST, "utf8")) as { version?: unknown };
  return typeof manifest.version === "string" ? manifest.version : "unknown";
}
