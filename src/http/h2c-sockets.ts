/** Which connections h2c.ts looked at before node:http: read by the HTTP/1.1 watches
 *  (read-timeouts.ts), kept apart from h2c.ts so that they need not import the listener. */
import type { Socket } from "node:net";

/** Sockets handed to the http2 server: the HTTP/1.1 watches leave them alone. */
export const h2cSockets = new WeakSet<Socket>();
/** When each connection was accepted: its head is timed from then, not from the peek. */
export const acceptedAt = new WeakMap<Socket, number>();

export function isH2c(socket: object): boolean {
  return h2cSockets.has(socket as Socket);
}

/** When a connection that went through the peek was accepted; undefined for another. */
export function acceptTime(socket: Socket): number | undefined {
  return acceptedAt.get(socket);
}
