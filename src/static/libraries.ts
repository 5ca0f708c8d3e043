/**
 * The packages only static files use, imported on first use instead of at start-up:
 * most servers only run the application, and `send` with its dependencies and the
 * `mime-types` table cost an idle front end about 1.5 MiB (issue #6).
 */
import type sendType from "send";

type MimeTypes = typeof import("mime-types");

let send: Promise<typeof sendType> | null = null;
let mime: Promise<MimeTypes> | null = null;

export function sendModule(): Promise<typeof sendType> {
  send ??= import("send").then((module) => module.default);
  return send;
}

export function mimeTypes(): Promise<MimeTypes> {
  mime ??= import("mime-types");
  return mime;
}
