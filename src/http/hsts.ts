/**
 * `Header set Strict-Transport-Security POLICY` on every HTTPS response of an --https-only
 * site (mod_wsgi-express's template), whoever writes the response: the app, a static
 * file, an error page. Applied where the head is written, because a header set ahead
 * with setHeader would make node merge the app's header list by name and lose repeated
 * Set-Cookie fields.
 */
import type { OutgoingHttpHeaders, ServerResponse } from "node:http";

export const HSTS = "Strict-Transport-Security";

type Headers = OutgoingHttpHeaders | readonly string[] | undefined;

/** `headers` with `name: value`, replacing any field of that name (as `Header set`). */
export function withHeader(headers: Headers, name: string, value: string): Headers {
  const lower = name.toLowerCase();
  if (Array.isArray(headers)) {
    const flat = headers as readonly string[];
    const kept: string[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) {
      if ((flat[i] as string).toLowerCase() !== lower)
        kept.push(flat[i] as string, flat[i + 1] as string);
    }
    return [...kept, name, value];
  }
  const object: OutgoingHttpHeaders = {};
  for (const [key, field] of Object.entries(headers ?? {})) {
    if (key.toLowerCase() !== lower) object[key] = field;
  }
  object[name] = value;
  return object;
}

/** Makes `res` send `name: value` with its head, however the head is written. */
export function sendWithHead(res: ServerResponse, name: string, value: string): void {
  const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => ServerResponse;
  res.writeHead = (status: number, ...rest: unknown[]) => {
    const reason = typeof rest[0] === "string" ? rest[0] : undefined;
    const headers = (reason === undefined ? rest[0] : rest[1]) as Headers;
    // A field set with setHeader would be sent as well: drop it, the policy wins.
    if (res.hasHeader(name)) res.removeHeader(name);
    const all = withHeader(headers, name, value);
    return reason === undefined ? writeHead(status, all) : writeHead(status, reason, all);
  };
}
