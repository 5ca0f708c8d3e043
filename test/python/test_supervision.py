"""The daemon's side of supervision (issue #3): RequestTimeout injection, the monitor's
heartbeats and recycle requests, the reloader, the supervision launch settings, and
the control connection's INTERRUPT, SHUTDOWN and RECALL frames."""

import json
import os
import socket
import tempfile
import threading
import time
import unittest

from .support import TIMEOUT, captured_stderr, make_config
from _wsgi_express import framing
from _wsgi_express.connection import Connection, SharedConnection
from _wsgi_express.control import Control
from _wsgi_express.framing import encode_frame
from _wsgi_express.modwsgi import RequestTimeout
from _wsgi_express.monitor import Monitor, interrupt_thread
from _wsgi_express.registry import Registry, Request
from _wsgi_express.reloader import Reloader
from _wsgi_express.runtime import Runtime


class Interrupt(unittest.TestCase):
    def test_request_timeout_is_raised_in_the_request_thread(self):
        registry = Registry()
        outcome = []
        started = threading.Event()

        def run():
            registry.add(Request("7", threading.get_ident()), 0)
            started.set()
            try:
                deadline = time.time() + TIMEOUT
                while time.time() < deadline:
                    time.sleep(0.01)
                outcome.append("not interrupted")
            except RequestTimeout:
                outcome.append("interrupted")

        thread = threading.Thread(target=run)
        thread.start()
        started.wait(TIMEOUT)
        self.assertTrue(registry.interrupt("7", interrupt_thread))
        thread.join(TIMEOUT)
        self.assertEqual(outcome, ["interrupted"])

    def test_a_finished_request_is_not_interrupted(self):
        registry = Registry()
        request = Request("8", threading.get_ident())
        registry.add(request, 0)
        registry.remove(request)
        self.assertFalse(registry.interrupt("8", interrupt_thread))
        self.assertFalse(registry.interrupt("unknown", interrupt_thread))


class Recall(unittest.TestCase):
    """A request written ahead to a busy thread can be recalled only before it starts."""

    def test_a_recalled_request_does_not_start(self):
        registry = Registry()
        self.assertTrue(registry.recall("9", 0))
        self.assertFalse(registry.add(Request("9"), 0))
        self.assertEqual(len(registry), 0)

    def test_a_request_the_thread_took_is_not_recalled(self):
        registry = Registry()
        request = Request("9")
        self.assertTrue(registry.add(request, 0))
        self.assertFalse(registry.recall("9", 0))
        # Still not once it has finished: it ran, so the front end must not resend it.
        registry.remove(request)
        self.assertFalse(registry.recall("9", 0))

    def test_recalls_from_the_tail_add_up(self):
        # The front end recalls the last request, then the one before it: both skipped.
        registry = Registry()
        self.assertTrue(registry.add(Request("w"), 0))
        self.assertTrue(registry.recall("z", 0))
        self.assertTrue(registry.recall("y", 0))
        self.assertFalse(registry.add(Request("y"), 0))
        self.assertFalse(registry.add(Request("z"), 0))
        self.assertFalse(registry.recall("w", 0), "w was taken")

    def test_a_recall_holds_only_for_the_thread_it_names(self):
        # The front end re-dispatches a recalled request, maybe to another thread of
        # the same process, which may read it before the first thread skips its copy.
        registry = Registry()
        self.assertTrue(registry.recall("9", 0))
        self.assertTrue(registry.add(Request("9"), 1))
        self.assertFalse(registry.add(Request("9"), 0))


class MonitorFrames(unittest.TestCase):
    def setUp(self):
        ours, theirs = socket.socketpair()
        self.addCleanup(ours.close)
        self.addCleanup(theirs.close)
        theirs.settimeout(TIMEOUT)
        self.front = Connection(theirs)
        self.monitor = Monitor(Connection(ours))

    def test_heartbeats_and_recycle_requests(self):
        self.monitor.request_recycle("cpu_time_limit")
        self.monitor.thread.start()
        frame_type, payload = self.front.read_frame()
        self.assertEqual(frame_type, framing.RECYCLE)
        self.assertEqual(json.loads(payload), {"reason": "cpu_time_limit"})
        frame_type, payload = self.front.read_frame()
        self.assertEqual((frame_type, payload), (framing.HEARTBEAT, b""))


class ControlFrames(unittest.TestCase):
    def test_shutdown_stops_the_process_with_its_reason(self):
        ours, theirs = socket.socketpair()
        self.addCleanup(ours.close)
        runtime = Runtime(make_config())
        control = Control(Connection(ours), runtime)
        control.thread.start()
        theirs.sendall(encode_frame(framing.SHUTDOWN, b'{"reason": "maximum_requests"}'))
        self.assertEqual(runtime.wait_for_stop(), "maximum_requests")
        theirs.close()
        control.thread.join(TIMEOUT)

    def test_recall_is_answered_at_once(self):
        ours, theirs = socket.socketpair()
        self.addCleanup(ours.close)
        self.addCleanup(theirs.close)
        theirs.settimeout(TIMEOUT)
        runtime = Runtime(make_config())
        self.assertTrue(runtime.registry.add(Request("5"), 1))
        Control(SharedConnection(ours), runtime).thread.start()
        front = Connection(theirs)
        with captured_stderr() as stderr:
            # A malformed RECALL is logged and not answered; the next one is.
            theirs.sendall(encode_frame(framing.RECALL, b'{"id": "5", "thread": "1"}'))
            message = {"id": "5", "thread": 1}
            theirs.sendall(encode_frame(framing.RECALL, json.dumps(message).encode()))
            self.assertEqual(front.read_frame()[0], framing.RECALLED)
        self.assertIn("malformed RECALL", stderr.getvalue())
        for request_id in ("5", "6"):
            message = {"id": request_id, "thread": 1}
            theirs.sendall(encode_frame(framing.RECALL, json.dumps(message).encode()))
            frame_type, payload = front.read_frame()
            self.assertEqual(frame_type, framing.RECALLED)
            self.assertEqual(json.loads(payload), dict(message, recalled=request_id == "6"))

    def test_supervision_launch_settings(self):
        config = make_config(cpuTimeLimit=2.5, virtualMemoryLimit=1 << 30,
                             reloadOnChanges=True, displayName="(wsgi:x)")
        self.assertEqual((config.cpuTimeLimit, config.virtualMemoryLimit),
                         (2.5, 1 << 30))
        self.assertEqual((config.reloadOnChanges, config.displayName), (True, "(wsgi:x)"))
        defaults = make_config()
        self.assertEqual((defaults.cpuTimeLimit, defaults.shutdownTimeout), (0, 5))


class ReloaderScan(unittest.TestCase):
    def test_a_changed_module_file_is_reported(self):
        directory = tempfile.mkdtemp()
        path = os.path.join(directory, "watched_module_for_reloader.py")
        with open(path, "w") as handle:
            handle.write("X = 1\n")
        import importlib.util
        import sys
        spec = importlib.util.spec_from_file_location("watched_module_for_reloader", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        sys.modules["watched_module_for_reloader"] = module
        self.addCleanup(sys.modules.pop, "watched_module_for_reloader", None)
        reloader = Reloader(lambda reason: None)
        self.assertIsNone(reloader.scan())
        later = time.time() + 10
        os.utime(path, (later, later))
        self.assertEqual(reloader.scan(), path)


if __name__ == "__main__":
    unittest.main()
