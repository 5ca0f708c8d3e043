"""Embedded mode's Python side (issue #25): the NativeSocket a Connection runs over,
the signal restriction, and start()'s answer when the settings are bad. The addon's
recv/send are stood in for by queues here; the real ones are exercised end to end by
test/e2e/embedded*.test.ts."""

import io
import json
import signal
import unittest
from contextlib import redirect_stderr

from . import support  # noqa: F401 (puts the runtime on sys.path)
from _wsgi_express import embedded, framing
from _wsgi_express.connection import Connection, ConnectionClosed


class Pipes:
    """recv(slot) and send(slot, data) as the addon gives them, over lists."""

    def __init__(self, incoming, closed=False):
        self.incoming = list(incoming)
        self.sent = []
        self.closed = closed

    def recv(self, slot):
        return self.incoming.pop(0) if self.incoming else b""

    def send(self, slot, data):
        if self.closed:
            return -1
        self.sent.append((slot, data))
        return len(data)


class NativeSocketTest(unittest.TestCase):
    def test_frames_split_across_and_within_pieces(self):
        first = framing.encode_frame(framing.REQUEST_BODY, b"abc")
        second = framing.encode_frame(framing.REQUEST_BODY_END)
        joined = first + second
        pipes = Pipes([joined[:2], joined[2:9], joined[9:]])
        connection = Connection(embedded.NativeSocket(pipes.recv, pipes.send, 1))
        self.assertEqual(connection.read_frame(), (framing.REQUEST_BODY, b"abc"))
        self.assertEqual(connection.read_frame(), (framing.REQUEST_BODY_END, b""))
        with self.assertRaises(ConnectionClosed):
            connection.read_frame()

    def test_sends_go_to_the_slot_as_bytes(self):
        pipes = Pipes([])
        connection = Connection(embedded.NativeSocket(pipes.recv, pipes.send, 3))
        connection.send(bytearray(b"xy"))
        connection.send_parts([b"a" * 200_000, memoryview(b"b" * 100_000)])
        self.assertEqual(pipes.sent[0], (3, b"xy"))
        self.assertEqual(pipes.sent[1], (3, b"a" * 200_000 + b"b" * 100_000))
        self.assertTrue(all(type(data) is bytes for _, data in pipes.sent))

    def test_a_closed_slot_fails_the_send(self):
        pipes = Pipes([], closed=True)
        connection = Connection(embedded.NativeSocket(pipes.recv, pipes.send, 0))
        with self.assertRaises(ConnectionClosed):
            connection.send(b"late")

    def test_no_descriptor_so_files_are_read_and_sent(self):
        native = embedded.NativeSocket(None, None, 0)
        with self.assertRaises(OSError):
            native.fileno()
        native.shutdown(0)
        native.close()


class RestrictSignalsTest(unittest.TestCase):
    def test_a_registration_is_logged_and_ignored(self):
        original = signal.signal
        before = signal.getsignal(signal.SIGTERM)
        try:
            embedded.restrict_signals()
            stderr = io.StringIO()
            with redirect_stderr(stderr):
                handler = signal.signal(signal.SIGTERM, signal.SIG_IGN)
            self.assertIs(handler, signal.SIG_IGN)
            self.assertIs(signal.getsignal(signal.SIGTERM), before)
            self.assertIn("Callback registration for signal 15 ignored.", stderr.getvalue())
            self.assertIn("test_embedded.py", stderr.getvalue())
        finally:
            signal.signal = original


class StartTest(unittest.TestCase):
    def test_bad_settings_are_answered_not_raised(self):
        pipes = Pipes([])
        answer = json.loads(embedded.start(pipes.recv, pipes.send, support.PACKAGE_DIR,
                                           "not json"))
        self.assertIn("is not valid JSON", answer["error"])
        answer = json.loads(embedded.start(pipes.recv, pipes.send, support.PACKAGE_DIR,
                                           None))
        self.assertIn("TypeError", answer["error"])


if __name__ == "__main__":
    unittest.main()
