/**
 * Option table, ours (not mod_wsgi-express's): what a container orchestrator or a load
 * balancer needs from the server itself (docs/containers.md).
 */
import { row } from "./row.js";
import type { OptionSpec } from "./spec.js";

// prettier-ignore
export const TABLE_CONTAINERS: readonly OptionSpec[] = [
  row("liveness-path", "string", "URL-PATH", "yes", { group: "monitoring" },
    "URL path the front end answers itself, without the application: 200 while the server runs, even while the application loads or the server drains (for a Kubernetes livenessProbe: failing it restarts the container). GET or HEAD; answered before host checks and aliases."),
  row("readiness-path", "string", "URL-PATH", "yes", { group: "monitoring" },
    "URL path the front end answers itself, without the application: 200 once at least one daemon process has loaded the application and is connected, 503 before that and from the moment a stop signal arrives (for a Kubernetes readinessProbe or a load balancer's health check). GET or HEAD; answered before host checks and aliases."),
  row("shutdown-delay", "number", "SECONDS", "yes", { group: "timeouts", default: 0 },
    "On SIGTERM or SIGINT, keep accepting and serving requests for this long while --readiness-path answers 503, so that load balancers (Kubernetes endpoints) stop sending before the listener closes; then in-flight requests get --shutdown-timeout to finish. A second signal ends it at once. 0: stop accepting at once."),
];
