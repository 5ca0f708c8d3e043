/** `--directory-listing`: a plain HTML index (Apache's `Options +Indexes`), dotfiles hidden. */
import { readdir } from "node:fs/promises";

export async function directoryListing(directory: string, urlPath: string): Promise<string> {
  const entries = await readdir(directory, { withFileTypes: true });
  const items = entries
    .filter((entry) => !entry.name.startsWith("."))
    .map((entry) => (entry.isDirectory() ? `${entry.name}/` : entry.name))
    .sort();
  const title = `Index of ${escapeHtml(urlPath)}`;
  const links = ["../", ...items].map(
    (name) => `<li><a href="${escapeHtml(encodeName(name))}">${escapeHtml(name)}</a></li>`,
  );
  return (
    `<!DOCTYPE html>\n<html><head><title>${title}</title></head>\n` +
    `<body><h1>${title}</h1><ul>\n${links.join("\n")}\n</ul></body></html>\n`
  );
}

function encodeName(name: string): string {
  return name.endsWith("/")
    ? `${encodeURIComponent(name.slice(0, -1))}/`
    : encodeURIComponent(name);
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
