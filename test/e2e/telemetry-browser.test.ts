/**
 * Issue #21: the telemetry dashboard in headless Chromium (Debian's, driven by
 * playwright-core): after some load, the charts hold the figures (read back from the
 * page's uPlot instances, not only that it loaded) and the slow-requests table shows
 * the request that slept past --slow-requests. A screenshot is left in a temp dir.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { app, request, startServer, tempDir } from "./harness.js";
import { telemetryUrl } from "./telemetry-helpers.js";

const CHROMIUM = "/usr/bin/chromium";

function hasChromium(): boolean {
  try {
    execFileSync(CHROMIUM, ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

// .ci/run installs chromium and sets WSGI_EXPRESS_REQUIRE_CHROMIUM, so CI never skips this.
const skip = !hasChromium() && process.env["WSGI_EXPRESS_REQUIRE_CHROMIUM"] !== "1";

const ARGS = [
  ...["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"],
  ...["--disable-background-networking", "--disable-component-update", "--disable-sync"],
];

/** What the page's charts hold: each chart's series labels and data arrays. */
type Charts = Record<string, { labels: string[]; data: (number | null)[][] }>;

test(
  "--enable-telemetry: the dashboard plots the load in headless Chromium",
  { skip },
  async (t) => {
    const root = tempDir("wsgi-express-dashboard-");
    const server = await startServer([
      app("slow.wsgi"),
      ...["--enable-telemetry", "--telemetry-ui-port", "0", "--telemetry-interval", "0.5"],
      ...["--slow-requests", "0.3", "--processes", "2", "--threads", "2"],
    ]);
    t.after(() => server.stop());
    // Load: 4 clients x 25 quick requests, and one that sleeps past the threshold.
    const quick = new URL("/quick?seconds=0.01", server.url).href;
    await Promise.all([
      request(new URL("/sleepy?seconds=0.5", server.url).href),
      ...Array.from({ length: 4 }, async () => {
        for (let i = 0; i < 25; i++) assert.equal((await request(quick)).status, 200);
      }),
    ]);

    const context = await chromium.launchPersistentContext(join(root, "profile"), {
      executablePath: CHROMIUM,
      headless: true,
      args: ARGS,
      timeout: 60_000,
      viewport: { width: 1400, height: 1200 },
    });
    t.after(() => context.close());
    const page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(60_000);
    await page.goto(telemetryUrl(server));
    // Until the charts hold a sample with requests in it, and the slow request's row.
    await page.waitForFunction(() => {
      const charts = (
        window as unknown as { telemetryCharts?: Record<string, { data: number[][] }> }
      ).telemetryCharts;
      const rates = charts?.["requests"]?.data[1] ?? [];
      return (
        rates.some((rate) => rate > 0) && document.querySelectorAll("#slow-rows tr").length > 0
      );
    });
    const charts = await page.evaluate(() => {
      const all = (
        window as unknown as {
          telemetryCharts: Record<
            string,
            { series: { label?: string }[]; data: (number | null)[][] }
          >;
        }
      ).telemetryCharts;
      const out: Record<string, { labels: string[]; data: (number | null)[][] }> = {};
      for (const [id, chart] of Object.entries(all)) {
        out[id] = {
          labels: chart.series.map((series) => series.label ?? ""),
          data: chart.data.map((column) => Array.from(column)),
        };
      }
      return out;
    });
    const screenshot = join(root, "dashboard.png");
    await page.screenshot({ path: screenshot, fullPage: true });
    process.stdout.write(`# dashboard screenshot: ${screenshot}\n`);
    assertCharts(charts);

    const row = await page.locator("#slow-rows tr").first().innerText();
    assert.match(row, /GET\s+\/sleepy\s+200/);
    assert.match(row, /\d+ \/ \d/);
  },
);

function assertCharts(charts: Charts): void {
  const ids = ["requests", "latency", "phases", "threads", "status", "cpu", "memory", "restarts"];
  assert.deepEqual(Object.keys(charts).sort(), [...ids].sort());
  const column = (id: string, index: number): (number | null)[] => charts[id]?.data[index] ?? [];
  const positive = (values: (number | null)[]): boolean => values.some((v) => v !== null && v > 0);
  // Times on x, the same in every chart's first column.
  assert.ok(column("requests", 0).length > 0);
  assert.ok(positive(column("requests", 1)), "requests/s");
  assert.deepEqual(charts["latency"]?.labels.slice(1), ["p50", "p90", "p99"]);
  assert.ok(positive(column("latency", 3)), "p99");
  assert.ok(positive(column("phases", 3)), "application time");
  assert.ok(positive(column("status", 2)), "2xx per second");
  // One series per daemon process (both), then the capacity line at 2 x 2 threads.
  const threads = charts["threads"];
  assert.ok(threads);
  assert.equal(threads.labels.filter((label) => label.startsWith("pid ")).length, 2);
  assert.equal(threads.labels.at(-1), "capacity");
  assert.equal(threads.data.at(-1)?.at(-1), 4);
  assert.ok(positive(column("memory", 1)), "memory of the first process");
}
