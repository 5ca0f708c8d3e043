/**
 * The figures in Prometheus's text exposition (/metrics, /server-status?format=prometheus),
 * through prom-client on a registry of our own (never the global one, which a host
 * process or a test may share). Names follow Prometheus's conventions
 * (https://prometheus.io/docs/practices/naming/): a `wsgi_express_` prefix, base units in
 * the name, counters ending `_total`, histograms giving `_bucket`, `_sum` and `_count`.
 */
import { Counter, Gauge, Registry } from "prom-client";
import { BucketHistogram } from "./bucket-histogram.js";
import { STATUS_CLASSES, statusClass, type RequestRecord, type StatusClass } from "./records.js";
import type { Sample } from "./sample.js";

/** Seconds: from a fast hello (~1 ms) to --request-timeout's usual scale. */
const LATENCY_BUCKETS = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60,
];

export class PromMetrics {
  readonly registry = new Registry();
  /** Counted per request as plain numbers; prom-client reads them at a scrape. */
  private readonly byClass = zeroClasses();
  private slowCount = 0;
  private readonly restartsByReason = new Map<string, number>();
  private readonly duration = histogram(
    this.registry,
    "wsgi_express_request_duration_seconds",
    "Time from a request's arrival at the front end to the end of its response.",
  );
  private readonly queueWait = histogram(
    this.registry,
    "wsgi_express_queue_wait_seconds",
    "Time a request waited in the front end's queue for a daemon thread.",
  );
  private readonly application = histogram(
    this.registry,
    "wsgi_express_application_duration_seconds",
    "Time from a daemon thread taking a request to the application's last byte.",
  );
  private readonly busy = perPid(
    this.registry,
    "wsgi_express_busy_threads",
    "Daemon threads busy with a request, averaged over the last telemetry interval.",
  );
  private readonly threads = perPid(
    this.registry,
    "wsgi_express_threads",
    "Daemon threads connected (each process's capacity).",
  );
  private readonly memory = perPid(
    this.registry,
    "wsgi_express_process_resident_memory_bytes",
    "Resident memory of each daemon process.",
  );
  private readonly queued = new Gauge({
    name: "wsgi_express_queued_requests",
    help: "Requests waiting for a daemon thread.",
    registers: [this.registry],
  });
  private readonly cpu = new Counter({
    name: "wsgi_express_process_cpu_seconds_total",
    help: "User and system CPU time of each daemon process.",
    labelNames: ["pid"],
    registers: [this.registry],
  });
  /** Each process's CPU seconds as last counted, to add the difference. */
  private readonly cpuSeen = new Map<number, number>();

  constructor() {
    const { byClass, restartsByReason } = this;
    countedAtScrape(this.registry, {
      name: "wsgi_express_requests_total",
      help: "Requests handed to the application, by status class of the response.",
      labelNames: ["status_class"],
      // Every class shows from the start, at 0: rate() over a series needs its first point.
      read: () => STATUS_CLASSES.map((name) => [{ status_class: name }, byClass[name]]),
    });
    countedAtScrape(this.registry, {
      name: "wsgi_express_slow_requests_total",
      help: "Requests that took longer than --slow-requests.",
      labelNames: [],
      read: () => [[{}, this.slowCount]],
    });
    countedAtScrape(this.registry, {
      name: "wsgi_express_process_restarts_total",
      help: "Daemon processes replaced, by reason (a mod_wsgi process_stopping reason, or exit).",
      labelNames: ["reason"],
      read: () => [...restartsByReason].map(([reason, n]) => [{ reason }, n]),
    });
  }

  /** One finished request: plain counts only, on the request path. */
  observe(request: RequestRecord, slow: boolean): void {
    this.byClass[statusClass(request.status)] += 1;
    this.duration.observe(request.total);
    this.queueWait.observe(request.queue);
    if (request.application !== null) this.application.observe(request.application);
    if (slow) this.slowCount += 1;
  }

  restarted(reason: string): void {
    this.restartsByReason.set(reason, (this.restartsByReason.get(reason) ?? 0) + 1);
  }
  /** The gauges from an interval's sample: processes gone lose their series. */
  sampled(sample: Sample): void {
    this.queued.set(sample.queued);
    this.busy.reset();
    this.threads.reset();
    this.memory.reset();
    const alive = new Set<number>();
    for (const process of sample.processes) {
      const pid = String(process.pid);
      alive.add(process.pid);
      this.busy.set({ pid }, process.busy);
      this.threads.set({ pid }, process.threads);
      if (process.rss !== null) this.memory.set({ pid }, process.rss);
      if (process.cpuSeconds !== null) {
        const before = this.cpuSeen.get(process.pid) ?? 0;
        if (process.cpuSeconds > before) this.cpu.inc({ pid }, process.cpuSeconds - before);
        this.cpuSeen.set(process.pid, process.cpuSeconds);
      }
    }
    for (const pid of this.cpuSeen.keys()) {
      if (alive.has(pid)) continue;
      this.cpuSeen.delete(pid);
      this.cpu.remove({ pid: String(pid) });
    }
  }

  /** The text exposition and its content type. */
  async exposition(): Promise<{ text: string; type: string }> {
    return { text: await this.registry.metrics(), type: this.registry.contentType };
  }
}

function zeroClasses(): Record<StatusClass, number> {
  return { "1xx": 0, "2xx": 0, "3xx": 0, "4xx": 0, "5xx": 0 };
}

/** A counter whose values are read from plain numbers when it is scraped. */
function countedAtScrape(
  registry: Registry,
  spec: {
    name: string;
    help: string;
    labelNames: string[];
    read: () => [Record<string, string>, number][];
  },
): void {
  const counter: Counter = new Counter({
    name: spec.name,
    help: spec.help,
    labelNames: spec.labelNames,
    registers: [registry],
    collect() {
      counter.reset();
      for (const [labels, value] of spec.read()) counter.inc(labels, value);
    },
  });
}

function histogram(registry: Registry, name: string, help: string): BucketHistogram {
  const metric = new BucketHistogram(name, help, LATENCY_BUCKETS);
  registry.registerMetric(metric.asMetric());
  return metric;
}

function perPid(registry: Registry, name: string, help: string): Gauge<"pid"> {
  return new Gauge({ name, help, labelNames: ["pid"], registers: [registry] });
}
