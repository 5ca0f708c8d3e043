/**
 * --port 0 in embedded mode, resolved once in the primary before any worker listens.
 * node:cluster shares one listening socket per (address, port) its workers ask for: a
 * worker asking for port 0 while another holds the socket got as "port 0" shares it,
 * but one asking after every holder is gone (all replaced or crashed at once) gets a
 * new socket on another port, and one asking for the port the first got while they
 * hold it as "port 0" binds it a second time (EADDRINUSE). Every worker asking for one
 * fixed port has none of these races; the port is found by binding port 0 and closing
 * it again (a listening socket leaves no TIME_WAIT behind).
 */
import { createServer, type AddressInfo } from "node:net";

export async function fixedPort(listen: {
  readonly port: number;
  readonly host: string | null;
}): Promise<number> {
  if (listen.port !== 0) return listen.port;
  const probe = createServer();
  try {
    await new Promise<void>((resolve, reject) => {
      probe.once("error", reject);
      probe.listen({ port: 0, host: listen.host ?? undefined }, resolve);
    });
  } catch {
    // The workers will fail to listen there too, and say why.
    return 0;
  }
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}
