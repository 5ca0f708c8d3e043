/**
 * The figures in Prometheus's text exposition (/metrics, /server-status?format=prometheus),
 * through prom-client on a registry of our own (never the global one, which a host
 * process or a test may share). Names follow Prometheus's conventions
 * (https://prometheus.io/docs/practices/naming/): a `wsgi_express_` prefix, base units in
 * the name, counters ending `_total`, histograms giving `_bucket`, `_sum` and `_count`.
 */
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import { STATUS_CLASSES, statusClass, type RequestRecord, type StatusClass } from "./records.js";
import type { Sample } from "./sample.js";

/** Seconds: from a fast hello (~1 ms) to --request-timeout's usual scale. */
const LATENCY_BUCKETS = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60,
];

export class PromMetrics {
  readonly registry = new Registry();
  private readonly requests = requestCounters(this.registry);
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
  private readonly slow = new Counter({
    name: "wsgi_express_slow_requests_total",
    help: "Requests that took longer than --slow-requests.",
    registers: [this.registry],
  });
  private readonly restarts = new Counter({
    name: "wsgi_express_process_restarts_total",
    help: "Daemon processes replaced, by reason (a mod_wsgi process_stopping reason, or exit).",
    labelNames: ["reason"],
    registers: [this.registry],
  });
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

  /** One finished request. */
  observe(request: RequestRecord, slow: boolean): void {
    this.requests[statusClass(request.status)].inc();
    this.duration.observe(request.total);
    this.queueWait.observe(request.queue);
    if (request.application !== null) this.application.observe(request.application);
    if (slow) this.slow.inc();
  }

  restarted(reason: string): void {
    this.restarts.inc({ reason });
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

function requestCounters(registry: Registry): Record<StatusClass, Counter.Internal> {
  const counter = new Counter({
    name: "wsgi_express_requests_total",
    help: "Requests handed to the application, by status class of the response.",
    labelNames: ["status_class"],
    registers: [registry],
  });
  const children = Object.fromEntries(
    STATUS_CLASSES.map((name) => [name, counter.labels(name)]),
  ) as Record<StatusClass, Counter.Internal>;
  // Every class shows from the start, at 0: rate() over a series needs its first point.
  for (const child of Object.values(children)) child.inc(0);
  return children;
}

function histogram(registry: Registry, name: string, help: string): Histogram {
  return new Histogram({ name, help, buckets: LATENCY_BUCKETS, registers: [registry] });
}

function perPid(registry: Registry, name: string, help: string): Gauge<"pid"> {
  return new Gauge({ name, help, labelNames: ["pid"], registers: [registry] });
}
