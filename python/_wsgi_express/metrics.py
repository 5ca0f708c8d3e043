"""mod_wsgi 6's metrics API for one process: start_recording_metrics(),
process_metrics() and request_metrics() with mod_wsgi's key names, types and units
(src/server/wsgi_metrics.c, docs/user-guides/internal-metrics-api.rst).

Cost: before start_recording_metrics() a request costs its worker a few attribute
updates on its own slot, with no lock (the lifetime counts process_metrics() reports
and server_metrics() shows). Once recording, one locked Interval.record() per request.
"""

import os
import threading
import time

from . import usage
from .accounting import BUCKET_COUNT, PHASES, UNMEASURED, Interval


class ThreadSlot:
    """One worker thread's state. Written only by its own worker thread, except
    ``busy_since``, which the draining reader advances under the metrics lock."""

    __slots__ = ("thread_id", "started", "active", "request_count", "busy_time", "start",
                 "stop", "busy_since", "cpu_clock", "cpu_seen", "bytes_served", "client",
                 "request", "vhost")

    def __init__(self, thread_id):
        self.thread_id = thread_id  # 1-based, as mod_wsgi numbers request threads
        self.started = False
        self.active = False
        self.request_count = 0
        self.busy_time = 0.0
        self.start = 0.0
        self.stop = 0.0
        self.busy_since = 0.0
        self.cpu_clock = None  # the thread's CPU clock, readable from any thread
        self.cpu_seen = 0.0  # its reading when the last interval closed
        self.bytes_served = 0
        self.client = ""
        self.request = ""
        self.vhost = ""


class Metrics:
    def __init__(self, threads, clock=time.time, cpu_times=usage.cpu_times,
                 thread_cpu=usage.thread_cpu, memory=None, pid=os.getpid):
        self.recording = False
        self.slots = tuple(ThreadSlot(index + 1) for index in range(threads))
        self.restart_time = clock()
        self._clock = clock
        self._cpu_times = cpu_times
        self._thread_cpu = thread_cpu
        self._memory = memory or (usage.memory_rss, usage.memory_max_rss)
        self._pid = pid
        self._lock = threading.Lock()
        self._interval = None

    # -- the worker's side ----------------------------------------------------------

    def thread_started(self, slot):
        """Called by each worker thread as it starts."""
        slot.cpu_clock = usage.cpu_clock()
        slot.started = True

    def begin(self, slot, daemon_start):
        slot.start = slot.busy_since = daemon_start
        slot.active = True

    def finish(self, slot, daemon_start, finish):
        """The lifetime counts, kept whether or not recording was started (mod_wsgi
        counts requests and busy time from process start)."""
        slot.request_count += 1
        slot.busy_time += finish - daemon_start
        slot.stop = finish
        slot.active = False

    def record(self, slot, finish, request_start, queue_start, daemon_start,
               application_start, status, input_bytes, output_bytes):
        """Accounts one completed request in the current interval (only while
        recording: the caller checks ``recording`` first)."""
        if application_start is None:  # the application never ran (failed to load)
            application_start = finish
        with self._lock:
            interval = self._interval
            # A request that began before this interval counts only its share of it.
            busy = finish - max(slot.busy_since, interval.start)
            interval.record(slot.thread_id - 1, request_start, queue_start, daemon_start,
                            application_start, finish, status, input_bytes, output_bytes,
                            busy if busy > 0 else 0.0)

    # -- the application's side: the mod_wsgi functions -----------------------------

    def start_recording_metrics(self):
        """Idempotent: the first call starts the first interval."""
        with self._lock:
            if self.recording:
                return None
            user, system = self._cpu_times()
            self._interval = Interval(len(self.slots), self._clock(), user, system)
            for slot in self.slots:
                slot.cpu_seen = self._thread_cpu(slot.cpu_clock)
            self.recording = True
        return None

    def process_metrics(self):
        if not self.recording:
            return None
        now = self._clock()
        user, system = self._cpu_times()
        rss, max_rss = self._memory[0](), self._memory[1]()
        busy = 0.0
        for slot in self.slots:
            busy += slot.busy_time
            if slot.active:
                busy += max(0.0, now - slot.start)
        return {
            "pid": self._pid(),
            "request_busy_time": busy,
            "request_count": sum(slot.request_count for slot in self.slots),
            "memory_max_rss": max_rss,
            "memory_rss": rss,
            "cpu_user_time": user,
            "cpu_system_time": system,
            "cpu_time": user + system,
            "restart_time": self.restart_time,
            "current_time": now,
            "running_time": int(now - self.restart_time),
            "request_threads": self.threads_started(),
            "active_requests": sum(1 for slot in self.slots if slot.active),
            "threads": [{"thread_id": slot.thread_id, "request_count": slot.request_count}
                        for slot in self.slots if slot.started],
        }

    def request_metrics(self):
        """The interval since the previous call (or since recording started), then a
        fresh one: one reader per process, as mod_wsgi documents."""
        if not self.recording:
            return None
        now = self._clock()
        user, system = self._cpu_times()
        with self._lock:
            interval = self._interval
            self._interval = Interval(len(self.slots), now, user, system)
            elapsed = self._drain_in_flight(interval, now)
        period = now - interval.start
        if period <= 0.0:
            period = 1e-6
        return self._request_dict(interval, now, period, user, system, elapsed)

    def threads_started(self):
        return sum(1 for slot in self.slots if slot.started)

    def _drain_in_flight(self, interval, now):
        """Folds each in-flight request's busy time so far into the closing interval
        (so a long request counts in every interval it spans) and reads each thread's
        CPU time; returns each slot's current elapsed time. Under the lock.

        CPU is read from each thread's own clock here rather than around each request
        (mod_wsgi's way): no cost per request, and a long request's CPU shows in each
        interval it spans instead of all in the one where it ends. A worker thread
        between requests waits in a read, so its CPU time is its requests'."""
        elapsed = [0.0] * len(self.slots)
        for index, slot in enumerate(self.slots):
            seen = self._thread_cpu(slot.cpu_clock)
            interval.cpu_time[index] = max(0.0, seen - slot.cpu_seen)
            slot.cpu_seen = seen
            if slot.active:
                tail = now - max(slot.busy_since, interval.start)
                interval.busy_time[index] += tail if tail > 0 else 0.0
                slot.busy_since = now
                elapsed[index] = max(0.0, now - slot.start)
        return elapsed

    def _request_dict(self, interval, now, period, user, system, elapsed):
        threads = len(self.slots)
        count = interval.requests
        user_rate = max(0.0, user - interval.cpu_user) / period
        system_rate = max(0.0, system - interval.cpu_system) / period
        busy = sum(interval.busy_time)
        result = {
            "pid": self._pid(), "start_time": interval.start, "stop_time": now,
            "sample_period": period,
            "cpu_user_utilization": user_rate, "cpu_user_time": user_rate,
            "cpu_system_utilization": system_rate, "cpu_system_time": system_rate,
            "cpu_utilization": user_rate + system_rate,
            "cpu_time": user_rate + system_rate,
            "memory_max_rss": self._memory[1](), "memory_rss": self._memory[0](),
            "request_threads_maximum": threads,
            "request_threads_started": self.threads_started(),
            "request_threads_active": sum(
                1 for index in range(threads)
                if interval.completed[index] or elapsed[index] > 0),
            "capacity_utilization": busy / period / threads if threads else 0.0,
            "request_count": count, "request_throughput": count / period,
        }
        for number, total in zip(range(1, 6), interval.status):
            result["status_%dxx" % number] = total
        result.update(input_bytes=interval.input_bytes, input_reads=0,
                      output_bytes=interval.output_bytes, output_writes=0)
        result.update(_phase_fields(interval, elapsed))
        return result


def _phase_fields(interval, elapsed):
    """The histograms, per-thread lists, phase means and extremes of request_metrics()."""
    result = {}
    count = interval.requests
    for name, buckets in zip(PHASES, interval.buckets):
        result[name + "_buckets"] = buckets
    for name in UNMEASURED:
        result[name + "_buckets"] = [0] * BUCKET_COUNT
    result.update(
        request_threads_completed=interval.completed,
        request_threads_buckets=list(interval.completed),  # mod_wsgi's old name
        request_threads_busy_time=interval.busy_time,
        request_threads_cpu_time=interval.cpu_time,
        request_threads_current_elapsed=elapsed,
        request_threads_max_duration=interval.max_duration)
    for phase, name in enumerate(PHASES):
        result[name] = interval.totals[phase] / count if count else 0.0
        least = interval.min_us[phase]
        result[name + "_min_us"] = least
        result[name + "_max_us"] = interval.max_us[phase] if least is not None else None
    for name in UNMEASURED:
        result[name] = 0.0
        result[name + "_min_us"] = result[name + "_max_us"] = None
    result["gil_wait_count"] = 0
    return result
