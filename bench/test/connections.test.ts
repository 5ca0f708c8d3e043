import assert from "node:assert/strict";
import { once } from "node:events";
import { createConnection, createServer, type Socket } from "node:net";
import { test } from "node:test";
import { connectionsPerProcess, establishedInodes } from "../lib/connections.js";

test("establishedInodes keeps established connections on the given local port only", () => {
  const table = [
    "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode",
    "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  0 0 1001 1",
    "   1: 0100007F:1F90 0100007F:C350 01 00000000:00000000 00:00000000 00000000  0 0 1002 1",
    "   2: 0100007F:C350 0100007F:1F90 01 00000000:00000000 00:00000000 00000000  0 0 1003 1",
    "   3: 0100007F:1F90 0100007F:C351 06 00000000:00000000 00:00000000 00000000  0 0 0 1",
    "   4: 0100007F:1F91 0100007F:C352 01 00000000:00000000 00:00000000 00000000  0 0 1004 1",
  ].join("\n");
  // 0x1F90 is 8080: the listener (0A), the client's end (local port 0xC350) and a
  // closing one (06) are left out, as is another port.
  assert.deepEqual([...establishedInodes(table, 8080)], ["1002"]);
});

test("connectionsPerProcess counts the server-side connections this process holds", async () => {
  const accepted: Socket[] = [];
  const server = createServer((socket) => accepted.push(socket));
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as { port: number };
  const clients = Array.from({ length: 3 }, () => createConnection(port, "127.0.0.1"));
  await Promise.all(clients.map((client) => once(client, "connect")));
  while (accepted.length < 3) await once(server, "connection");
  try {
    // The clients' ends are on other local ports: only the three accepted sockets count.
    assert.deepEqual(connectionsPerProcess(process.pid, port), [3]);
  } finally {
    for (const socket of [...clients, ...accepted]) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  }
});
