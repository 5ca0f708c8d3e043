"""The per-request cost of mod_wsgi's metrics accounting (python/_wsgi_express/metrics.py):
100k requests' worth of what a worker calls, with recording off and on, against a loop
that only takes the same two clock readings.

    python bench/profile/metrics_accounting.py [REQUESTS]
"""

import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                "python"))
from _wsgi_express.metrics import Metrics  # noqa: E402


def clocks_only(requests):
    started = time.perf_counter()
    for _ in range(requests):
        time.time()
        time.time()
    return time.perf_counter() - started


def accounting(requests, recording):
    metrics = Metrics(5)
    slot = metrics.slots[2]
    metrics.thread_started(slot)
    if recording:
        metrics.start_recording_metrics()
    started = time.perf_counter()
    for _ in range(requests):
        daemon_start = time.time()
        metrics.begin(slot, daemon_start)
        finish = time.time()
        metrics.finish(slot, daemon_start, finish)
        if metrics.recording:
            metrics.record(slot, finish, daemon_start - 0.003, daemon_start - 0.002,
                           daemon_start, daemon_start + 0.0001, 200, 0, 5)
    elapsed = time.perf_counter() - started
    if recording:
        assert metrics.request_metrics()["request_count"] == requests
    return elapsed


def main():
    requests = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    best = {"off": float("inf"), "on": float("inf")}
    for _ in range(3):
        base = clocks_only(requests)
        best["off"] = min(best["off"], accounting(requests, False) - base)
        best["on"] = min(best["on"], accounting(requests, True) - base)
    for name, seconds in best.items():
        print("recording %-3s %7.1f ms for %d requests: %.2f us/request"
              % (name, seconds * 1e3, requests, seconds / requests * 1e6))


if __name__ == "__main__":
    main()
