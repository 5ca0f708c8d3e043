/**
 * The ceiling for any Node.js front end: node:http answering "Hello World!" (12 bytes,
 * Content-Length set) from one process, with no Python behind it.
 * Usage: node dist/bench/node-hello.js PORT
 */
import { createServer } from "node:http";

const BODY = Buffer.from("Hello World!");
const port = Number(process.argv[2] ?? 0);

const server = createServer((_req, res) => {
  res.writeHead(200, { "Content-Type": "text/plain", "Content-Length": BODY.length });
  res.end(BODY);
});
server.keepAliveTimeout = 5000;
server.listen(port, "127.0.0.1");
process.on("SIGTERM", () => {
  server.close();
  server.closeAllConnections();
});
