/**
 * --send-buffer-size and --receive-buffer-size reach each daemon thread's connection to
 * the front end: the app (process_facts.wsgi) reads its own process's Unix sockets.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { app, request, startServer, type RunningServer } from "./harness.js";

async function socketBuffers(server: RunningServer): Promise<[number, number][]> {
  const res = await request(server.url);
  return (JSON.parse(res.body.toString()) as { socketBuffers: [number, number][] }).socketBuffers;
}

/** What Linux reports for a size set: twice the size, capped at twice the sysctl. */
const reported = (size: number, sysctl: string): number =>
  2 * Math.min(size, Number(readFileSync(`/proc/sys/net/core/${sysctl}`, "utf8")));

const withBuffers = (buffers: [number, number][], pair: [number, number]): number =>
  buffers.filter(([send, receive]) => send === pair[0] && receive === pair[1]).length;

test("each thread's connection gets the sizes given", async (t) => {
  const server = await startServer([
    app("process_facts.wsgi"),
    "--threads",
    "3",
    "--send-buffer-size",
    "4608",
    "--receive-buffer-size",
    "5120",
  ]);
  t.after(() => server.stop());
  const buffers = await socketBuffers(server);
  assert.equal(withBuffers(buffers, [2 * 4608, 2 * 5120]), 3, JSON.stringify(buffers));
});

test("a size past the system's limit is capped there (net.core.wmem_max)", async (t) => {
  const server = await startServer([
    app("process_facts.wsgi"),
    "--threads",
    "2",
    "--send-buffer-size",
    String(64 * 1024 * 1024),
  ]);
  t.after(() => server.stop());
  const buffers = await socketBuffers(server);
  const send = reported(64 * 1024 * 1024, "wmem_max");
  const workers = buffers.filter(([size]) => size === send);
  assert.equal(workers.length, 2, JSON.stringify(buffers));
  const systemReceive = Number(readFileSync("/proc/sys/net/core/rmem_default", "utf8"));
  for (const [, receive] of workers) assert.equal(receive, systemReceive);
});
