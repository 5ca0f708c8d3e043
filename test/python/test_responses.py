"""Response rules of PEP 3333 as the worker enforces them: start_response checks,
exc_info, errors before and after the head, return types, close(), ABORT, file_wrapper
and Content-Length."""

import errno
import io
import os
import sys
import tempfile
import threading
import time
import unittest
from unittest import mock
from wsgiref.validate import validator

from .support import (FIXTURES, FakeFrontEnd, base_environ, captured_stderr, fixture_app,
                      head_frames, read_frames)
from _wsgi_express import framing
from _wsgi_express.response import Response
from _wsgi_express.registry import Request


def app_with(status="200 OK", headers=None, body=(b"ok",)):
    """An app that calls start_response with the given (possibly invalid) values."""
    def application(environ, start_response):
        start_response(status, [("Content-Type", "text/plain")] if headers is None
                       else headers)
        return list(body)
    return application


class ResponseCase(unittest.TestCase):
    def front_end(self, application, **config):
        front = FakeFrontEnd(application, **config)
        self.addCleanup(front.close)
        return front

    def failing(self, application, query=""):
        """The reply to one request whose failure is expected, and the error log."""
        with captured_stderr() as log:
            reply = self.front_end(application).request(base_environ(QUERY_STRING=query))
        return reply, log.getvalue()


class Errors(ResponseCase):
    def test_error_before_start_response(self):
        reply, log = self.failing(fixture_app("error_before.wsgi"))
        self.assertEqual(reply.types, [framing.RESPONSE_ERROR])
        self.assertIn("error_before.wsgi fails on purpose", reply.error)
        self.assertIn("Traceback (most recent call last)", log)
        self.assertIn("error_before.wsgi", log)

    def test_error_after_first_chunk(self):
        reply, log = self.failing(fixture_app("error_after.wsgi"))
        self.assertEqual(reply.types, [framing.RESPONSE_HEAD, framing.RESPONSE_BODY,
                                       framing.RESPONSE_ERROR])
        self.assertEqual(reply.body, b"first chunk\n")
        self.assertIn("after the first chunk", log)

    def test_returned_str_names_the_type(self):
        reply, _ = self.failing(fixture_app("wrong_type.wsgi"))
        self.assertEqual(reply.types, [framing.RESPONSE_ERROR])
        self.assertIn("WSGI application returned an object of type str; expected an "
                      "iterable of bytes", reply.error)

    def test_returned_none_names_the_type(self):
        reply, _ = self.failing(lambda environ, start_response: None)
        self.assertIn("type NoneType", reply.error)

    def test_yielded_str_is_refused(self):
        reply, _ = self.failing(app_with(body=["text"]))
        self.assertIn("yielded an object of type str", reply.error)

    def test_bare_bytes_is_sent_as_one_chunk(self):
        def application(environ, start_response):
            start_response("200 OK", [("Content-Type", "text/plain")])
            return b"whole"
        reply = self.front_end(application).request()
        self.assertEqual(reply.body, b"whole")
        self.assertEqual(reply.types.count(framing.RESPONSE_BODY), 1)

    def test_no_start_response(self):
        reply, _ = self.failing(lambda environ, start_response: [])
        self.assertIn("without calling start_response()", reply.error)

    def test_failed_load_answers_every_request_with_an_error(self):
        front = self.front_end(None)
        front.runtime.load_error = "Traceback ...\nImportError: nope"
        for _ in range(2):
            reply = front.request()
            self.assertEqual(reply.types, [framing.RESPONSE_ERROR])
            self.assertIn("ImportError: nope", reply.error)


class StartResponseChecks(ResponseCase):
    BAD = [
        ("status not str", {"status": b"200 OK"}, "must be a str"),
        ("status with a bad code", {"status": "2000 OK"}, "3-digit code"),
        ("status with no code", {"status": "OK"}, "3-digit code"),
        ("status with CRLF", {"status": "200 OK\r\nX: y"}, "control character"),
        ("status beyond latin-1", {"status": "200 \u20ac"}, "latin-1"),
        ("headers not a list", {"headers": (("A", "b"),)}, "must be a list"),
        ("header not a tuple", {"headers": [["A", "b"]]}, "tuple"),
        ("header value not str", {"headers": [("A", 1)]}, "must be str"),
        ("header name with space", {"headers": [("Bad Name", "x")]}, "HTTP token"),
        ("header name with colon", {"headers": [("X:", "x")]}, "HTTP token"),
        ("value with CR LF", {"headers": [("X-A", "a\r\nSet-Cookie: x")]}, "CR, LF"),
        ("value with LF", {"headers": [("X-A", "a\nb")]}, "CR, LF"),
        ("value with NUL", {"headers": [("X-A", "a\0b")]}, "NUL"),
        ("value beyond latin-1", {"headers": [("X-A", "\u0100")]}, "latin-1"),
    ]

    def test_bad_values_are_refused(self):
        for name, arguments, wording in self.BAD:
            with self.subTest(name):
                reply, _ = self.failing(app_with(**arguments))
                self.assertEqual(reply.types, [framing.RESPONSE_ERROR])
                self.assertIn(wording, reply.error)

    def test_latin1_and_tab_values_are_accepted(self):
        reply = self.front_end(app_with(
            status="200 Caf\u00e9", headers=[("X-A", "caf\u00e9\tb")])).request()
        self.assertEqual(reply.status, "200 Caf\u00e9")
        self.assertEqual(reply.header("X-A"), "caf\u00e9\tb")

    def test_bare_status_gets_its_standard_reason_as_under_mod_wsgi_6(self):
        for status, sent in [("200", "200 OK"), ("404", "404 Not Found"),
                             ("299", "299 Unknown")]:
            with self.subTest(status):
                reply = self.front_end(app_with(status=status)).request()
                self.assertEqual(reply.status, sent)

    def test_second_call_before_the_body_wins_as_under_mod_wsgi(self):
        def application(environ, start_response):
            start_response("500 First", [("X-First", "1")])
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"second"]
        with mock.patch("_wsgi_express.response._warned_second_call", []):
            with captured_stderr() as log:
                front = self.front_end(application)
                reply = front.request()
                again = front.request()
        self.assertEqual(reply.status, "404 Not Found")
        self.assertEqual(reply.header("X-First"), None)
        self.assertEqual(reply.body, b"second")
        self.assertEqual(again.status, "404 Not Found")
        # Named once per process, not once per request.
        self.assertEqual(log.getvalue().count("PEP 3333"), 1)

    def test_fewer_bytes_than_content_length_are_logged(self):
        with captured_stderr() as log:
            reply = self.front_end(app_with(headers=[("Content-Length", "10")],
                                            body=(b"12345",))).request()
        self.assertEqual(reply.body, b"12345")
        self.assertIn("10 bytes declared, 5 sent", log.getvalue())

    def test_second_call_after_the_head_was_sent_raises(self):
        def application(environ, start_response):
            write = start_response("200 OK", [])
            write(b"sent")
            start_response("404 Not Found", [])
            return [b""]
        reply, _ = self.failing(application)
        self.assertIn("second time without exc_info", reply.error)

    def test_exc_info_before_head_replaces_the_response(self):
        def application(environ, start_response):
            start_response("200 OK", [("Content-Type", "text/plain")])
            try:
                raise ValueError("boom")
            except ValueError:
                start_response("500 Oops", [("Content-Type", "text/plain")], sys.exc_info())
            return [b"sorry"]
        reply = self.front_end(validator(application)).request()
        self.assertEqual((reply.status, reply.body), ("500 Oops", b"sorry"))

    def test_exc_info_after_head_reraises(self):
        def application(environ, start_response):
            write = start_response("200 OK", [("Content-Type", "text/plain")])
            write(b"partial")
            try:
                raise ValueError("original problem")
            except ValueError:
                start_response("500 Oops", [], sys.exc_info())
            return [b"never"]
        reply, _ = self.failing(application)
        self.assertEqual(reply.types, [framing.RESPONSE_HEAD, framing.RESPONSE_BODY,
                                       framing.RESPONSE_ERROR])
        self.assertIn("ValueError: original problem", reply.error)


class Closing(ResponseCase):
    def setUp(self):
        handle, self.log_path = tempfile.mkstemp()
        os.close(handle)
        self.addCleanup(os.unlink, self.log_path)

    def closed_lines(self):
        with open(self.log_path) as log:
            return log.read().splitlines()

    def test_close_once_after_normal_completion(self):
        reply = self.front_end(fixture_app("generator_close.wsgi")).request(
            base_environ(QUERY_STRING="chunks=3&id=a&file=" + self.log_path))
        self.assertEqual(reply.body, b"chunk 0\nchunk 1\nchunk 2\n")
        self.assertEqual(self.closed_lines(), ["CLOSED a"])

    def test_close_once_after_an_exception(self):
        closed = []

        class Body:
            def __iter__(self):
                yield b"one"
                raise RuntimeError("mid-body failure")

            def close(self):
                closed.append(True)

        def application(environ, start_response):
            start_response("200 OK", [("Content-Type", "text/plain")])
            return Body()
        reply, _ = self.failing(application)
        self.assertEqual(reply.types[-1], framing.RESPONSE_ERROR)
        self.assertEqual(closed, [True])

    def test_abort_stops_iteration_and_closes_once(self):
        front = self.front_end(fixture_app("generator_close.wsgi"))
        request_id = front.send_head(base_environ(
            QUERY_STRING="chunks=100000&delay=0.001&id=b&file=" + self.log_path))
        front.send(framing.REQUEST_BODY_END)
        self.assertEqual(front.read_frame()[0], framing.RESPONSE_HEAD)
        self.assertEqual(front.read_frame()[0], framing.RESPONSE_BODY)
        front.runtime.registry.abort(request_id)  # what the control thread does
        reply = front.read_reply()
        self.assertEqual(reply.types[-1], framing.RESPONSE_ERROR)
        self.assertIn("client went away", reply.error)
        self.assertLess(len(reply.types), 1000)
        self.assertEqual(self.closed_lines(), ["CLOSED b"])
        next_request = base_environ(QUERY_STRING="chunks=1&file=" + self.log_path)
        self.assertEqual(front.request(next_request).types[-1], framing.RESPONSE_END)

    def test_abort_that_overtakes_its_head(self):
        front = self.front_end(fixture_app("generator_close.wsgi"))
        front.runtime.registry.abort("early")
        front.send_head(base_environ(QUERY_STRING="chunks=5&id=c&file=" + self.log_path),
                        request_id="early")
        front.send(framing.REQUEST_BODY_END)
        reply = front.read_reply()
        self.assertEqual(reply.types, [framing.RESPONSE_HEAD, framing.RESPONSE_BODY,
                                       framing.RESPONSE_ERROR])
        self.assertEqual(self.closed_lines(), ["CLOSED c"])


class Files(ResponseCase):
    def setUp(self):
        with open(os.path.join(FIXTURES, "file_wrapper.wsgi"), "rb") as handle:
            self.source = handle.read()

    def test_file_wrapper_adds_content_length(self):
        reply = self.front_end(fixture_app("file_wrapper.wsgi")).request()
        self.assertEqual(reply.body, self.source)
        self.assertEqual(reply.header("Content-Length"), str(len(self.source)))

    def test_file_wrapper_respects_declared_length(self):
        reply = self.front_end(fixture_app("file_wrapper.wsgi")).request(
            base_environ(QUERY_STRING="length=10"))
        self.assertEqual(reply.body, self.source[:10])

    def test_file_wrapper_through_the_validator(self):
        reply = self.front_end(validator(fixture_app("file_wrapper.wsgi"))).request()
        self.assertEqual(reply.body, self.source)

    def test_file_wrapper_without_fileno_is_iterated(self):
        import io

        def application(environ, start_response):
            start_response("200 OK", [("Content-Type", "text/plain")])
            return environ["wsgi.file_wrapper"](io.BytesIO(b"x" * 20000), 8192)
        reply = self.front_end(validator(application)).request()
        self.assertEqual(reply.body, b"x" * 20000)
        self.assertEqual(reply.types.count(framing.RESPONSE_BODY), 3)

    def test_declared_content_length_is_never_exceeded(self):
        reply = self.front_end(validator(app_with(
            headers=[("Content-Type", "text/plain"), ("Content-Length", "5")],
            body=[b"abc", b"defgh", b"ijk"]))).request()
        self.assertEqual(reply.body, b"abcde")

    def test_surplus_beyond_content_length_ends_with_an_error(self):
        # The body is trimmed, then RESPONSE_ERROR (not RESPONSE_END) tells the front end
        # to close the connection, with both sizes for the log (issue #7).
        reply = self.front_end(app_with(
            headers=[("Content-Length", "5")], body=[b"abc", b"defgh", b"ijk"])).request()
        self.assertEqual(reply.body, b"abcde")
        self.assertEqual(reply.types[-1], framing.RESPONSE_ERROR)
        self.assertIn("5 bytes declared, 11 sent", reply.error)

    def test_exact_content_length_ends_normally(self):
        reply = self.front_end(app_with(
            headers=[("Content-Length", "5")], body=[b"abc", b"de"])).request()
        self.assertEqual(reply.types[-1], framing.RESPONSE_END)


class HeadRequests(ResponseCase):
    """HEAD: the application runs as for GET and its head goes out whole, but not its
    body, which the front end would only drop (the client gets none)."""

    HEAD = base_environ(REQUEST_METHOD="HEAD")

    def setUp(self):
        handle, self.log_path = tempfile.mkstemp()
        os.close(handle)
        self.addCleanup(os.unlink, self.log_path)

    def test_an_iterable_is_still_iterated_and_closed_but_not_sent(self):
        environ = base_environ(REQUEST_METHOD="HEAD",
                               QUERY_STRING="chunks=3&id=h&file=" + self.log_path)
        reply = self.front_end(fixture_app("generator_close.wsgi")).request(environ)
        self.assertEqual(reply.types, [framing.RESPONSE_HEAD, framing.RESPONSE_END])
        self.assertEqual(reply.status, "200 OK")
        with open(self.log_path) as log:
            self.assertEqual(log.read().splitlines(), ["CLOSED h"])

    def test_a_file_wrapper_file_is_not_read_and_its_length_is_declared(self):
        size = os.path.getsize(os.path.join(FIXTURES, "file_wrapper.wsgi"))
        for sendfile in (False, True):
            with self.subTest(sendfile=sendfile):
                with mock.patch.object(os, "pread", wraps=os.pread) as pread, \
                        mock.patch.object(os, "sendfile", wraps=os.sendfile) as send:
                    reply = self.front_end(fixture_app("file_wrapper.wsgi"),
                                           enableSendfile=sendfile).request(self.HEAD)
                self.assertEqual(reply.types, [framing.RESPONSE_HEAD, framing.RESPONSE_END])
                self.assertEqual(reply.header("Content-Length"), str(size))
                self.assertEqual((pread.call_count, send.call_count), (0, 0))

    def test_the_write_callable_and_more_than_content_length(self):
        def application(environ, start_response):
            write = start_response("200 OK", [("Content-Length", "4")])
            write(b"ab")
            return [b"cdef"]
        reply, _ = self.failing_head(application)
        # Past Content-Length is still the application's error, body or not.
        self.assertEqual(reply.types, [framing.RESPONSE_HEAD, framing.RESPONSE_ERROR])
        self.assertIn("more than its Content-Length", reply.error)

    def failing_head(self, application):
        with captured_stderr() as log:
            reply = self.front_end(application).request(self.HEAD)
        return reply, log.getvalue()

    def test_get_still_sends_the_body(self):
        reply = self.front_end(fixture_app("hello.wsgi")).request()
        self.assertEqual(reply.body, b"Hello World!")


class Sendfile(ResponseCase):
    """--enable-sendfile: a file_wrapper file leaves the daemon through os.sendfile(),
    with the bytes, Content-Length and file offset of the pread path."""

    def setUp(self):
        # Three frames' worth, so frames after the first are sent too.
        self.data = os.urandom(2 * framing.MAX_BODY_FRAME + 12345)
        handle, self.path = tempfile.mkstemp()
        self.addCleanup(os.unlink, self.path)
        with os.fdopen(handle, "wb") as out:
            out.write(self.data)
        self.offsets_at_close = []

    def app(self, start=0, length=None):
        offsets = self.offsets_at_close

        class Recorded(io.FileIO):
            def close(self):
                if not self.closed:
                    offsets.append(self.tell())
                super().close()

        def application(environ, start_response):
            headers = [("Content-Type", "application/octet-stream")]
            if length is not None:
                headers.append(("Content-Length", str(length)))
            start_response("200 OK", headers)
            handle = Recorded(self.path)
            handle.seek(start)
            return environ["wsgi.file_wrapper"](handle)
        return application

    def request(self, application):
        return self.front_end(application, enableSendfile=True).request()

    def test_the_file_goes_out_through_sendfile(self):
        with mock.patch.object(os, "sendfile", wraps=os.sendfile) as sendfile:
            reply = self.request(self.app())
        self.assertEqual(reply.body, self.data)
        self.assertEqual(reply.header("Content-Length"), str(len(self.data)))
        self.assertEqual(reply.types.count(framing.RESPONSE_BODY), 3)
        self.assertEqual(reply.types[-1], framing.RESPONSE_END)
        self.assertGreaterEqual(sendfile.call_count, 3)

    def test_without_the_option_python_reads_the_file(self):
        with mock.patch.object(os, "sendfile", wraps=os.sendfile) as sendfile:
            reply = self.front_end(self.app()).request()
        self.assertEqual(reply.body, self.data)
        self.assertEqual(sendfile.call_count, 0)

    def test_from_the_file_position_up_to_the_declared_length(self):
        reply = self.request(self.app(start=1000, length=framing.MAX_BODY_FRAME + 7))
        self.assertEqual(reply.body, self.data[1000:1000 + framing.MAX_BODY_FRAME + 7])
        # The file's own offset is where the application left it, as mod_wsgi restores it.
        self.assertEqual(self.offsets_at_close, [1000])

    def test_a_declared_length_past_the_end_of_the_file_ends_short(self):
        # Never a frame announcing bytes the file does not hold; the front end cuts the
        # response it finds short of its Content-Length.
        reply = self.request(self.app(length=len(self.data) + 10))
        self.assertEqual(reply.body, self.data)
        self.assertEqual(reply.types[-1], framing.RESPONSE_END)

    def test_where_sendfile_cannot_be_used_the_bytes_are_read_and_sent(self):
        unsupported = OSError(errno.EINVAL, "Invalid argument")
        with mock.patch.object(os, "sendfile", side_effect=unsupported) as sendfile:
            reply = self.request(self.app())
        self.assertEqual(reply.body, self.data)
        # Given up at the first refusal, not retried for every frame.
        self.assertEqual(sendfile.call_count, 1)

    def test_an_unreadable_file_is_an_application_error_not_a_cut_connection(self):
        def application(environ, start_response):
            start_response("200 OK", [("Content-Type", "application/octet-stream")])
            return environ["wsgi.file_wrapper"](open(self.path, "ab"))
        front = self.front_end(application, enableSendfile=True)
        with captured_stderr() as log:
            reply = front.request()
        self.assertEqual(reply.types, [framing.RESPONSE_ERROR])
        self.assertIn("Bad file descriptor", log.getvalue())
        # The connection is still good for the next request.
        front.runtime.application = self.app()
        self.assertEqual(front.request().body, self.data)

    def test_a_file_that_ends_under_an_announced_frame_closes_the_connection(self):
        front = self.front_end(self.app(), enableSendfile=True)
        with captured_stderr() as log, mock.patch.object(os, "sendfile", return_value=0):
            # Head and body end in one write: the worker, which closes the connection as
            # soon as the file falls short, must not meet the second with EPIPE.
            front.sock.sendall(head_frames("1", base_environ())
                               + framing.encode_frame(framing.REQUEST_BODY_END))
            received = b""
            while True:
                chunk = front.sock.recv(65536)
                if not chunk:
                    break
                received += chunk
            front.worker.thread.join(5)
        self.assertIn("wsgi.file_wrapper response cut short", log.getvalue())
        self.assertIn("the file ended", log.getvalue())
        # The head and a body frame's header went out, then the connection closed.
        header = framing.encode_header(framing.RESPONSE_BODY, framing.MAX_BODY_FRAME)
        self.assertTrue(received.endswith(header))
        frames = read_frames([received[:-len(header)]])
        self.assertEqual([t for t, _ in frames], [framing.RESPONSE_HEAD])


class RecordingConnection:
    def __init__(self):
        self.writes = []

    def send(self, data):
        self.writes.append(bytes(data))

    def send_parts(self, parts):
        self.send(b"".join(bytes(part) for part in parts))


class SingleWrite(unittest.TestCase):
    def test_small_list_response_is_one_write(self):
        connection = RecordingConnection()
        response = Response(connection, Request("1"))
        response.start_response("200 OK", [("Content-Length", "2")])
        response.send_result([b"o", b"k"])
        response.finish()
        self.assertEqual(len(connection.writes), 1)
        frames = read_frames([connection.writes[0]])
        self.assertEqual([t for t, _ in frames], [framing.RESPONSE_HEAD,
                                                 framing.RESPONSE_BODY, framing.RESPONSE_END])

    def test_empty_response_is_head_and_end_in_one_write(self):
        connection = RecordingConnection()
        response = Response(connection, Request("1"))
        response.start_response("204 No Content", [])
        response.send_result([])
        response.finish()
        frames = read_frames([connection.writes[0]])
        self.assertEqual([t for t, _ in frames], [framing.RESPONSE_HEAD, framing.RESPONSE_END])


if __name__ == "__main__":
    unittest.main()
