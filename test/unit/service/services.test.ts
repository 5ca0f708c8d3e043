/**
 * The service supervisor's rules over fake service processes, on node:test's mock
 * timers: restarts with a growing delay after quick deaths, at once after a long life,
 * the privileges exit that stops the server, and no restart once stopping.
 */
import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { resolveConfig } from "../../../src/config/resolve.js";
import { ErrorLog } from "../../../src/log/error-log.js";
import { EXIT_PRIVILEGES } from "../../../src/process/exit-status.js";
import { systemTimers } from "../../../src/process/timers.js";
import type { ServiceChild } from "../../../src/service/service-process.js";
import { ServiceSupervisor, type SpawnService } from "../../../src/service/services.js";
import { fakeContext, parseArgs } from "../config/fakes.js";

class FakeService implements ServiceChild {
  exited = false;
  readonly stops: number[] = [];
  private readonly exits: (() => void)[] = [];

  constructor(
    readonly pid: number,
    readonly startedAt: number,
    private readonly onExit: (code: number | null, signal: string | null) => void,
  ) {}

  exit(code: number | null, signal: string | null = null): void {
    this.exited = true;
    for (const resolve of this.exits.splice(0)) resolve();
    this.onExit(code, signal);
  }

  stop(graceSeconds: number): void {
    this.stops.push(graceSeconds);
    this.exit(null, "SIGTERM");
  }

  whenExited(): Promise<void> {
    return this.exited ? Promise.resolve() : new Promise((resolve) => this.exits.push(resolve));
  }
}

async function supervisor(t: TestContext, timersOn = false) {
  if (!timersOn) t.mock.timers.enable({ apis: ["setTimeout", "Date"] });
  const config = await resolveConfig(
    parseArgs(["start-server", "app.wsgi", "--service-script", "tick", "/work/app/readme.txt"]),
    fakeContext(),
  );
  const lines: string[] = [];
  const log = new ErrorLog({ write: (line: string) => lines.push(line) }, "info");
  const fatal: string[] = [];
  const children: FakeService[] = [];
  const spawn: SpawnService = (_service, _log, onExit, startedAt) => {
    const child = new FakeService(100 + children.length, startedAt, onExit);
    children.push(child);
    return child;
  };
  const timers = { ...systemTimers, now: () => Date.now() };
  const services = new ServiceSupervisor(config, log, (m) => fatal.push(m), timers, spawn);
  await services.start();
  return { services, children, lines, fatal };
}

test("a service that dies quickly again and again is restarted with a growing delay", async (t) => {
  const { children, lines } = await supervisor(t);
  const delays: number[] = [];
  for (let round = 0; round < 4; round++) {
    children.at(-1)?.exit(1);
    const started = children.length;
    let waited = 0;
    while (children.length === started) {
      t.mock.timers.tick(10);
      waited += 10;
      assert.ok(waited < 60_000, "never restarted");
    }
    delays.push(waited);
  }
  assert.deepEqual(delays, [100, 200, 400, 800]);
  assert.match(
    lines.join(""),
    /service tick \(pid 100\) exited with status 1; restarting in 0\.1s/,
  );
});

test("a service that ran a while is restarted at once", async (t) => {
  const { children } = await supervisor(t);
  t.mock.timers.tick(60_000);
  children[0]?.exit(0);
  t.mock.timers.tick(0);
  assert.equal(children.length, 2);
});

test("a service that cannot drop its privileges stops the server, and is not restarted", async (t) => {
  const { children, fatal } = await supervisor(t);
  children[0]?.exit(EXIT_PRIVILEGES);
  t.mock.timers.tick(60_000);
  assert.equal(children.length, 1);
  assert.deepEqual(fatal, ["service tick could not switch to its user/group; see the log"]);
});

test("stopping ends the service with --shutdown-timeout's grace, and nothing restarts", async (t) => {
  const { services, children } = await supervisor(t);
  children[0]?.exit(1);
  await services.stop();
  t.mock.timers.tick(60_000);
  assert.equal(children.length, 1, "the pending restart was cancelled");
  const again = await supervisor(t, true);
  await again.services.stop();
  assert.deepEqual(again.children[0]?.stops, [5]);
});
