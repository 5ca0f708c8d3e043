"""mod_wsgi's metrics functions (metrics.py, accounting.py, scoreboard.py) with an
injected clock: histogram bounds, interval drains, utilisation arithmetic."""

import unittest

import sys

from .support import FakeFrontEnd, base_environ, captured_stderr, make_config
from _wsgi_express.accounting import BUCKET_COUNT, bucket_index, bucket_table
from _wsgi_express.metrics import Metrics
from _wsgi_express.runtime import Runtime
from _wsgi_express.scoreboard import Scoreboard


class Clock:
    def __init__(self, now=1000.0):
        self.now = now

    def __call__(self):
        return self.now


def make_metrics(threads=2, clock=None):
    clock = clock or Clock()
    cpu = {"user": 1.0, "system": 0.5}
    metrics = Metrics(threads, clock=clock, cpu_times=lambda: (cpu["user"], cpu["system"]),
                      thread_cpu=lambda clock_id: 0.0, memory=(lambda: 4096, lambda: 8192),
                      pid=lambda: 42)
    for slot in metrics.slots:
        metrics.thread_started(slot)
    return metrics, clock, cpu


def serve(metrics, slot, start, duration, status=200, queue=0.001, server=0.002,
          daemon=0.0005, output=10):
    """One request on ``slot``: begins at ``start`` in the daemon, ends ``duration``
    later; the front end saw it ``queue + server`` earlier."""
    slot = metrics.slots[slot]
    metrics.begin(slot, start)
    finish = start + duration
    metrics.finish(slot, start, finish)
    if metrics.recording:
        metrics.record(slot, finish, start - queue - server, start - queue, start,
                       start + daemon, status, 3, output)


class Buckets(unittest.TestCase):
    def test_mod_wsgi_bounds(self):
        # 4 linear sub-buckets per octave from 1 ms; a bound lands in the higher bucket.
        cases = [(0.0, 0), (0.000999, 0), (0.001, 0), (0.00125, 1), (0.0015, 2),
                 (0.00175, 3), (0.002, 4), (0.003, 6), (0.004, 8), (0.0059, 9),
                 (0.006, 10), (1.0, 39), (65.535, 63), (65.536, 64), (1000.0, 64)]
        for seconds, index in cases:
            with self.subTest(seconds=seconds):
                self.assertEqual(bucket_index(seconds), index)

    def test_table_matches_the_formula_for_whole_microseconds(self):
        table = bucket_table()
        for us in list(range(0, 20000, 7)) + [999999, 1000000, 65535999]:
            self.assertEqual(table[us // 250], bucket_index(us / 1e6), us)
        self.assertEqual(max(table), BUCKET_COUNT - 2)


class Recording(unittest.TestCase):
    def test_none_until_started_and_start_is_idempotent(self):
        metrics, clock, _ = make_metrics()
        self.assertIsNone(metrics.process_metrics())
        self.assertIsNone(metrics.request_metrics())
        metrics.start_recording_metrics()
        clock.now += 5
        self.assertIsNone(metrics.start_recording_metrics())
        self.assertEqual(metrics.request_metrics()["start_time"], 1000.0)

    def test_requests_before_recording_count_only_in_process_metrics(self):
        metrics, clock, _ = make_metrics()
        serve(metrics, 0, 1000.0, 0.5)
        metrics.start_recording_metrics()
        serve(metrics, 1, 1000.0, 0.25)
        process = metrics.process_metrics()
        self.assertEqual(process["request_count"], 2)
        self.assertEqual(process["request_busy_time"], 0.75)
        self.assertEqual(process["threads"], [{"thread_id": 1, "request_count": 1},
                                              {"thread_id": 2, "request_count": 1}])
        self.assertEqual(metrics.request_metrics()["request_count"], 1)


class RequestMetrics(unittest.TestCase):
    def setUp(self):
        self.metrics, self.clock, self.cpu = make_metrics()
        self.metrics.start_recording_metrics()

    def test_phases_means_extremes_and_histograms(self):
        serve(self.metrics, 0, 1000.0, 0.0105)  # application 10 ms
        serve(self.metrics, 1, 1000.0, 0.0305, status=404)  # application 30 ms
        self.clock.now = 1002.0
        sample = self.metrics.request_metrics()
        self.assertEqual(sample["request_count"], 2)
        self.assertEqual(sample["sample_period"], 2.0)
        self.assertEqual(sample["request_throughput"], 1.0)
        self.assertAlmostEqual(sample["application_time"], 0.020)
        self.assertEqual((sample["application_time_min_us"],
                          sample["application_time_max_us"]), (10000, 30000))
        self.assertEqual((sample["server_time_min_us"], sample["queue_time_max_us"],
                          sample["daemon_time_min_us"]), (2000, 1000, 500))
        self.assertEqual(sample["request_time_max_us"], 2000 + 1000 + 500 + 30000)
        buckets = sample["application_time_buckets"]
        self.assertEqual(len(buckets), 65)
        self.assertEqual((buckets[bucket_index(0.010)], buckets[bucket_index(0.030)]), (1, 1))
        self.assertEqual(sum(sample["server_time_buckets"]), 2)
        self.assertEqual([sample["status_%dxx" % n] for n in range(1, 6)], [0, 1, 0, 1, 0])
        self.assertEqual((sample["output_bytes"], sample["input_bytes"]), (20, 6))
        self.assertEqual(sample["request_threads_completed"], [1, 1])
        for got, expected in zip(sample["request_threads_max_duration"], [0.0105, 0.0305]):
            self.assertAlmostEqual(got, expected)

    def test_the_interval_resets(self):
        serve(self.metrics, 0, 1000.0, 0.01)
        self.clock.now = 1001.0
        self.assertEqual(self.metrics.request_metrics()["request_count"], 1)
        self.clock.now = 1003.0
        sample = self.metrics.request_metrics()
        self.assertEqual((sample["start_time"], sample["stop_time"]), (1001.0, 1003.0))
        self.assertEqual((sample["request_count"], sample["capacity_utilization"]), (0, 0.0))
        self.assertEqual(sample["application_time"], 0.0)
        self.assertIsNone(sample["application_time_min_us"])
        self.assertIsNone(sample["application_time_max_us"])
        self.assertEqual(sum(sample["request_time_buckets"]), 0)
        self.assertEqual(sample["request_threads_completed"], [0, 0])

    def test_capacity_utilisation_counts_in_flight_requests_per_interval(self):
        # Thread 1 busy for 1 s of a 2 s interval; thread 2 from 1001.5 and still busy.
        serve(self.metrics, 0, 1000.0, 1.0)
        self.metrics.begin(self.metrics.slots[1], 1001.5)
        self.clock.now = 1002.0
        sample = self.metrics.request_metrics()
        self.assertEqual(sample["request_threads_busy_time"], [1.0, 0.5])
        self.assertEqual(sample["capacity_utilization"], 1.5 / 2.0 / 2)
        self.assertEqual(sample["request_threads_current_elapsed"], [0.0, 0.5])
        self.assertEqual(sample["request_threads_active"], 2)
        # It ends at 1003: only the second's share lands in the next interval.
        finish = 1003.0
        slot = self.metrics.slots[1]
        self.metrics.finish(slot, 1001.5, finish)
        self.metrics.record(slot, finish, 1001.5, 1001.5, 1001.5, 1001.5, 200, 0, 0)
        self.clock.now = 1004.0
        sample = self.metrics.request_metrics()
        self.assertEqual(sample["request_threads_busy_time"], [0.0, 1.0])
        self.assertEqual(sample["capacity_utilization"], 1.0 / 2.0 / 2)
        self.assertEqual(sample["request_threads_max_duration"], [0.0, 1.5])

    def test_cpu_utilisation_is_a_rate_over_the_interval(self):
        self.cpu["user"] += 0.5
        self.cpu["system"] += 0.25
        self.clock.now = 1002.0
        sample = self.metrics.request_metrics()
        self.assertEqual(sample["cpu_user_utilization"], 0.25)
        self.assertEqual(sample["cpu_system_utilization"], 0.125)
        self.assertEqual(sample["cpu_utilization"], 0.375)
        self.assertEqual(sample["cpu_time"], sample["cpu_utilization"])  # mod_wsgi's alias
        self.assertEqual((sample["memory_rss"], sample["memory_max_rss"]), (4096, 8192))

    def test_statuses_always_add_up(self):
        for status in (101, 302, 500, 0, 999):
            serve(self.metrics, 0, 1000.0, 0.001, status=status)
        sample = self.metrics.request_metrics()
        self.assertEqual([sample["status_%dxx" % n] for n in range(1, 6)], [1, 0, 1, 0, 3])

    def test_no_queue_start_puts_the_wait_in_the_server_phase(self):
        slot = self.metrics.slots[0]
        self.metrics.begin(slot, 1000.0)
        self.metrics.record(slot, 1000.01, 999.99, 0.0, 1000.0, 1000.0, 200, 0, 0)
        sample = self.metrics.request_metrics()
        self.assertEqual((sample["server_time_max_us"], sample["queue_time_max_us"]),
                         (10000, 0))

    def test_unmeasured_phases_are_empty(self):
        serve(self.metrics, 0, 1000.0, 0.01)
        sample = self.metrics.request_metrics()
        for name in ("gil_wait_time", "input_read_time", "output_write_time"):
            self.assertEqual(sample[name], 0.0)
            self.assertIsNone(sample[name + "_max_us"])
            self.assertEqual(sum(sample[name + "_buckets"]), 0)


class ProcessMetrics(unittest.TestCase):
    def test_fields(self):
        metrics, clock, _ = make_metrics()
        metrics.start_recording_metrics()
        serve(metrics, 0, 1000.0, 0.25)
        metrics.begin(metrics.slots[1], 1001.0)
        clock.now = 1002.5
        process = metrics.process_metrics()
        self.assertEqual(process["pid"], 42)
        self.assertEqual((process["restart_time"], process["current_time"]), (1000.0, 1002.5))
        self.assertEqual(process["running_time"], 2)
        self.assertEqual((process["request_count"], process["active_requests"]), (1, 1))
        self.assertEqual(process["request_busy_time"], 0.25 + 1.5)
        self.assertEqual(process["request_threads"], 2)
        self.assertEqual((process["cpu_user_time"], process["cpu_time"]), (1.0, 1.5))

    def test_a_service_has_no_threads(self):
        metrics, _, _ = make_metrics(threads=0)
        metrics.start_recording_metrics()
        process = metrics.process_metrics()
        self.assertEqual((process["request_count"], process["threads"]), (0, []))
        sample = metrics.request_metrics()
        self.assertEqual((sample["request_count"], sample["capacity_utilization"]), (0, 0.0))


class ServerMetrics(unittest.TestCase):
    def test_one_process_and_its_workers(self):
        metrics, clock, _ = make_metrics()
        stopping = []
        board = Scoreboard(metrics, processes=3, process_index=2,
                           stopping=lambda: bool(stopping), clock=clock, pid=lambda: 42)
        slot = metrics.slots[1]
        board.begin(slot, {"REQUEST_METHOD": "GET", "REQUEST_URI": "/x?" + "y" * 100,
                           "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1",
                           "SERVER_NAME": "example"})
        metrics.begin(slot, 1000.5)
        clock.now = 1001.0
        server = board.server_metrics()
        self.assertEqual((server["server_limit"], server["thread_limit"]), (3, 2))
        [process] = server["processes"]
        self.assertEqual((process["process_num"], process["pid"], process["quiescing"]),
                         (1, 42, False))
        idle, busy = process["workers"]
        self.assertEqual((idle["status"], busy["status"]), ("_", "W"))
        self.assertEqual(busy["request"], ("GET /x?" + "y" * 100)[:63])
        self.assertEqual((busy["client"], busy["vhost"], busy["start_time"]),
                         ("127.0.0.1", "example", 1000.5))
        stopping.append(True)
        metrics.finish(slot, 1000.5, 1001.0)
        server = board.server_metrics()
        self.assertTrue(server["processes"][0]["quiescing"])
        self.assertEqual(server["processes"][0]["workers"][1]["access_count"], 1)


class ThroughAWorker(unittest.TestCase):
    """A real Worker over a socket pair: what the module's functions see."""

    def setUp(self):
        saved = sys.modules.get("mod_wsgi")
        self.addCleanup(lambda: sys.modules.pop("mod_wsgi", None) if saved is None
                        else sys.modules.__setitem__("mod_wsgi", saved))

    def front_end(self, application, **config):
        runtime = Runtime(make_config(threads=1, **config))
        module = runtime.install_mod_wsgi()
        front = FakeFrontEnd(application, runtime=runtime)
        self.addCleanup(front.close)
        return front, module

    def test_counts_and_classes_of_what_the_client_saw(self):
        def application(environ, start_response):
            path = environ["PATH_INFO"]
            if path == "/raise":
                raise ValueError("before start_response")
            if path == "/none":
                return [b"never started"]
            start_response(path[1:] + " Status", [])
            return [b"body"]

        front, module = self.front_end(application)
        self.assertIsNone(module.process_metrics())
        front.request(base_environ(PATH_INFO="/200"))
        module.start_recording_metrics()
        with captured_stderr():
            for path in ("/200", "/404", "/raise", "/none", "/302"):
                front.request(base_environ(PATH_INFO=path))
        # The response's end is only sent once the request was counted.
        process = module.process_metrics()
        self.assertEqual((process["request_count"], process["active_requests"]), (6, 0))
        self.assertEqual(process["threads"], [{"thread_id": 1, "request_count": 6}])
        sample = module.request_metrics()
        self.assertEqual(sample["request_count"], 5)
        self.assertEqual([sample["status_%dxx" % n] for n in range(1, 6)], [0, 1, 1, 1, 2])
        self.assertEqual(sample["output_bytes"], 12)
        self.assertIsNone(module.server_metrics())

    def test_server_metrics_with_the_flag(self):
        def application(environ, start_response):
            start_response("200 OK", [])
            return [b"1234"]

        front, module = self.front_end(application, serverMetrics=True)
        front.request(base_environ(PATH_INFO="/x", REQUEST_URI="/x?y", REQUEST_METHOD="POST"))
        [worker] = module.server_metrics()["processes"][0]["workers"]
        self.assertEqual((worker["status"], worker["access_count"], worker["bytes_served"]),
                         ("_", 1, 4))
        self.assertEqual(worker["request"], "POST /x?y HTTP/1.1")


if __name__ == "__main__":
    unittest.main()
