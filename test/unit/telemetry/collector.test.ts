import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openCollector } from "../../../src/telemetry/collector.js";
import type { Sample } from "../../../src/telemetry/sample.js";

function sample(requests: number): Sample {
  return {
    time: requests,
    interval: 1,
    requests,
    rate: requests,
    status: { "1xx": 0, "2xx": requests, "3xx": 0, "4xx": 0, "5xx": 0 },
    latency: { p50: null, p90: null, p99: null, max: null },
    phases: { server: null, queue: null, application: null },
    queued: 0,
    capacity: 0,
    busy: 0,
    processes: [],
    restarts: [],
    slow: [],
  };
}

test("unix: no collector yet costs the sample; once one listens, the next sample gets there", async (t) => {
  const path = join(mkdtempSync(join(tmpdir(), "wsgi-express-collector-")), "c.sock");
  const collector = openCollector({ kind: "unix", path });
  t.after(() => {
    collector.close();
  });
  collector.send(sample(1)); // nobody listens: dropped, no throw
  await new Promise((resolve) => setTimeout(resolve, 50));
  const received: string[] = [];
  const server = createServer((socket) => {
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => received.push(chunk));
  });
  await new Promise<void>((resolve) => server.listen(path, resolve));
  t.after(() => server.close());
  const deadline = Date.now() + 10_000;
  let sent = 2;
  while (!received.join("").includes("\n") && Date.now() < deadline) {
    collector.send(sample(sent++));
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const [line] = received.join("").split("\n");
  const parsed = JSON.parse(line ?? "") as { type: string; requests: number };
  assert.equal(parsed.type, "sample");
  assert.ok(parsed.requests >= 2, "the first sample, sent with nobody listening, is gone");
  collector.close();
  collector.send(sample(99)); // closed: nothing, no throw
});
