/** The forwarded headers mod_wsgi recognises (reference §8.2), for --trust-proxy-header
 *  and the front end's proxy trust alike. */
export type ProxyHeaderCategory =
  "client" | "host" | "server" | "port" | "script" | "scheme" | "https";

/** Every header mod_wsgi recognises, lower-case, with its category. */
export const PROXY_HEADERS: Readonly<Record<string, ProxyHeaderCategory>> = {
  "x-forwarded-for": "client",
  "x-client-ip": "client",
  "x-real-ip": "client",
  "x-forwarded-host": "host",
  "x-host": "host",
  "x-forwarded-server": "server",
  "x-forwarded-port": "port",
  "x-script-name": "script",
  "x-forwarded-script-name": "script",
  "x-forwarded-proto": "scheme",
  "x-forwarded-scheme": "scheme",
  "x-scheme": "scheme",
  "x-forwarded-https": "https",
  "x-forwarded-ssl": "https",
  "x-https": "https",
};
