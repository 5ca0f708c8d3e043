"""Whole requests through a real Worker, driven by a fake front end over a
socketpair. Fixture apps are the ones the e2e tests use (test/fixtures/apps)."""

import os
import tempfile
import time
import unittest
from wsgiref.validate import validator

from .support import (FIXTURES, FakeFrontEnd, base_environ, captured_stderr, fixture_app,
                      head_frames)
from _wsgi_express import framing
from _wsgi_express.connection import ConnectionClosed
from _wsgi_express.modwsgi import RequestTimeout


class WorkerCase(unittest.TestCase):
    def front_end(self, application, worker_socket=None, **config):
        front = FakeFrontEnd(application, worker_socket=worker_socket, **config)
        self.addCleanup(front.close)
        return front


class Basics(WorkerCase):
    def test_hello(self):
        reply = self.front_end(fixture_app("hello.wsgi")).request()
        self.assertEqual(reply.types, [framing.RESPONSE_HEAD, framing.RESPONSE_BODY,
                                       framing.RESPONSE_END])
        self.assertEqual(reply.status, "200 OK")
        self.assertEqual(reply.header("Content-Length"), "12")
        self.assertEqual(reply.body, b"Hello World!")

    def test_many_requests_on_one_connection(self):
        front = self.front_end(fixture_app("echo.wsgi"))
        for index in range(20):
            body = b"request %d" % index
            reply = front.request(base_environ(REQUEST_METHOD="POST",
                                               CONTENT_LENGTH=str(len(body))), body)
            self.assertEqual(reply.body, body)

    def test_unread_body_is_discarded_before_the_next_request(self):
        front = self.front_end(fixture_app("hello.wsgi"))
        front.send_head(base_environ(REQUEST_METHOD="POST", CONTENT_LENGTH="6"))
        # Body frames that look like a frame header must stay opaque (uWSGI 2336).
        front.send_body(framing.encode_frame(framing.REQUEST_HEAD, b"!"), end=False)
        self.assertEqual(front.read_reply().body, b"Hello World!")
        front.send(framing.REQUEST_BODY_END)
        self.assertEqual(front.request().body, b"Hello World!")

    def test_a_recalled_request_is_skipped_with_its_body(self):
        front = self.front_end(fixture_app("echo.wsgi"))
        front.runtime.registry.recall("ahead", 0)
        front.send_head(base_environ(REQUEST_METHOD="POST", CONTENT_LENGTH="7"),
                        request_id="ahead")
        front.send_body(b"skipped")
        reply = front.request(base_environ(REQUEST_METHOD="POST", CONTENT_LENGTH="3"), b"ran")
        self.assertEqual(reply.body, b"ran")

    def test_five_hundred_headers(self):
        reply = self.front_end(fixture_app("huge_headers.wsgi")).request(
            base_environ(QUERY_STRING="count=500"))
        self.assertEqual(reply.status, "200 OK")
        self.assertEqual(len(reply.head["headers"]), 502)
        self.assertEqual(reply.header("X-Header-499"), "value-499")

    def test_hundreds_of_request_headers(self):
        environ = base_environ(**{"HTTP_X_H%d" % i: "v%d" % i for i in range(800)})
        reply = self.front_end(fixture_app("environ.wsgi")).request(environ)
        self.assertIn(b'"HTTP_X_H799": "v799"', reply.body)

    def test_write_callable(self):
        reply = self.front_end(fixture_app("write_callable.wsgi")).request()
        self.assertEqual(reply.body, b"written through write(); returned as an iterable")
        self.assertEqual(reply.types[0], framing.RESPONSE_HEAD)

    def test_streaming_without_content_length(self):
        reply = self.front_end(fixture_app("streaming.wsgi")).request(
            base_environ(QUERY_STRING="chunks=5&size=3"))
        self.assertEqual(reply.body, b"AAABBBCCCDDDEEE")
        self.assertIsNone(reply.header("Content-Length"))
        self.assertEqual(reply.types.count(framing.RESPONSE_BODY), 5)

    def test_large_response_is_split_into_mebibyte_frames(self):
        data = os.urandom(framing.MAX_BODY_FRAME * 2 + 10)

        @validator
        def big(environ, start_response):
            start_response("200 OK", [("Content-Type", "application/octet-stream")])
            return [data]
        reply = self.front_end(big).request()
        self.assertEqual(reply.body, data)
        self.assertEqual(reply.types.count(framing.RESPONSE_BODY), 3)

    def test_module_app_is_served(self):
        reply = self.front_end(fixture_app("hello.wsgi")).request(
            base_environ(REQUEST_METHOD="HEAD"))
        # HEAD still calls the app, and its head goes out whole; the body, which the
        # client would not get, does not (test_responses.HeadRequests).
        self.assertEqual((reply.status, reply.header("Content-Length")), ("200 OK", "12"))
        self.assertEqual(reply.types, [framing.RESPONSE_HEAD, framing.RESPONSE_END])


class RequestBodies(WorkerCase):
    def test_chunked_body_in_many_frames(self):
        front = self.front_end(fixture_app("echo.wsgi"))
        front.send_head(base_environ(REQUEST_METHOD="POST", CONTENT_TYPE="text/x-test",
                                     HTTP_TRANSFER_ENCODING="chunked"))
        for index in range(100):
            front.send(framing.REQUEST_BODY, b"%03d," % index)
        front.send(framing.REQUEST_BODY_END)
        reply = front.read_reply()
        self.assertEqual(reply.body, b"".join(b"%03d," % i for i in range(100)))
        self.assertEqual(reply.header("Content-Type"), "text/x-test")

    def test_large_body(self):
        data = os.urandom(3 * framing.MAX_BODY_FRAME + 123)
        front = self.front_end(fixture_app("echo.wsgi"))
        front.send_head(base_environ(REQUEST_METHOD="POST", CONTENT_LENGTH=str(len(data))))
        sender = _thread(lambda: front.send_body(data))
        reply = front.read_reply()
        sender.join()
        self.assertEqual(reply.body, data)

    def test_readline_and_iteration(self):
        @validator
        def lines(environ, start_response):
            stream = environ["wsgi.input"]
            first = stream.readline()
            limited = stream.readline(3)
            rest = list(stream)
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [b"|".join([first, limited] + rest)]
        body = b"one\ntwo-long\nthree\nfour"
        reply = self.front_end(lines).request(
            base_environ(REQUEST_METHOD="POST", CONTENT_LENGTH=str(len(body))), body)
        self.assertEqual(reply.body, b"one\n|two|-long\n|three\n|four")

    def test_expect_continue_sends_body_wanted_on_first_read(self):
        front = self.front_end(fixture_app("echo.wsgi"))
        front.send_head(base_environ(REQUEST_METHOD="POST", CONTENT_LENGTH="5"),
                        expect_continue=True)
        self.assertEqual(front.read_frame(), (framing.BODY_WANTED, b""))
        front.send_body(b"hello")
        reply = front.read_reply()
        self.assertEqual(reply.body, b"hello")
        self.assertNotIn(framing.BODY_WANTED, reply.types)

    def test_expect_continue_without_reading_sends_no_body_wanted(self):
        front = self.front_end(fixture_app("hello.wsgi"))
        front.send_head(base_environ(REQUEST_METHOD="POST", CONTENT_LENGTH="5"),
                        expect_continue=True)
        reply = front.read_reply()
        self.assertNotIn(framing.BODY_WANTED, reply.types)
        # As the front end does: the response ended first, so the body is over.
        front.send(framing.REQUEST_BODY_END)
        self.assertEqual(front.request().body, b"Hello World!")

    def test_body_abort_makes_reads_raise(self):
        @validator
        def reader(environ, start_response):
            message = b"no error"
            try:
                environ["wsgi.input"].read(100)
            except OSError as error:
                message = str(error).encode()
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [message]
        front = self.front_end(reader)
        front.send_head(base_environ(REQUEST_METHOD="POST", CONTENT_LENGTH="100"))
        front.send(framing.REQUEST_BODY, b"partial")
        front.send(framing.REQUEST_BODY_ABORT)
        self.assertIn(b"request data read error", front.read_reply().body)
        self.assertEqual(front.request().status, "200 OK")


class ProtocolViolations(WorkerCase):
    def test_request_head_inside_a_body_closes_the_connection(self):
        def swallowing(environ, start_response):
            try:
                environ["wsgi.input"].read()
            except Exception:
                pass  # an application that hides the error must not hide it from us
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [b"unreachable"]
        front = self.front_end(swallowing)
        with captured_stderr() as log:
            front.send_head(base_environ(REQUEST_METHOD="POST", CONTENT_LENGTH="4"))
            front.send_head()
            front.worker.thread.join(5)
            self.assertFalse(front.worker.thread.is_alive())
        self.assertIn("protocol error", log.getvalue())


class TimeoutWhileReading:
    """The worker's end of the connection, on which a RequestTimeout lands once the
    worker has read ``limit`` bytes, between two of its reads, as the monitor's
    injection can: reads hand out at most 64 bytes so the reader reaches that point."""

    def __init__(self, sock, limit):
        self._sock = sock
        self._limit = limit
        self._delivered = 0

    def recv_into(self, view):
        if self._delivered == self._limit:
            self._limit = None
            raise RequestTimeout("injected")
        size = 64 if self._limit is None else min(64, self._limit - self._delivered)
        received = self._sock.recv_into(view[:size])
        self._delivered += received
        return received

    def __getattr__(self, name):
        return getattr(self._sock, name)


class InterruptedRequests(WorkerCase):
    def test_a_timeout_inside_a_body_frame_closes_the_connection(self):
        # The body's bytes are a whole request: read from where the interrupted read
        # stopped, the worker would run it (uWSGI issue 2336, by another road).
        smuggled = framing.encode_frame(framing.REQUEST_BODY_END) + head_frames(
            "smuggled", base_environ(PATH_INFO="/smuggled"))
        body = smuggled + b"x" * 100
        head = head_frames("1", base_environ(REQUEST_METHOD="POST",
                                             CONTENT_LENGTH=str(len(body))))
        # Interrupted after the body frame's header and 10 bytes of its payload.
        limit = len(head) + framing.HEADER_SIZE + 10

        def reader(environ, start_response):
            if environ["REQUEST_METHOD"] == "POST":
                environ["wsgi.input"].read()
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [environ["PATH_INFO"].encode()]
        front = self.front_end(reader, worker_socket=lambda sock: TimeoutWhileReading(
            sock, limit))
        with captured_stderr() as log:
            front.sock.sendall(head)
            try:
                front.send_body(body)
            except (BrokenPipeError, ConnectionResetError):
                # The worker may close its end before the rest of the body is sent (as
                # it should); what it sent before closing is still there to read.
                pass
            reply = front.read_reply()
            self.assertTrue(reply.error.endswith("RequestTimeout: injected"), reply.error)
            with self.assertRaises(ConnectionClosed):
                front.read_frame()
        self.assertIn("protocol error", log.getvalue())


def _thread(target):
    import threading
    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    return thread


if __name__ == "__main__":
    unittest.main()
