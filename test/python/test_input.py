"""wsgi.input read semantics over scripted body frames (PEP 3333 input stream)."""

import contextlib
import os
import sys
import tempfile
import unittest

from .support import base_environ, captured_stderr, FakeFrontEnd
from _wsgi_express import framing
from _wsgi_express.input import Input


class Interrupted(Exception):
    """Stands for mod_wsgi.RequestTimeout."""


class ScriptedConnection:
    """Hands out prepared frames and records what the input sends back."""

    def __init__(self, chunks, end=framing.REQUEST_BODY_END):
        self.frames = [(framing.REQUEST_BODY, chunk) for chunk in chunks] + [(end, b"")]
        self.sent = []
        self.reads = 0

    def read_frame(self):
        self.reads += 1
        if not self.frames:
            raise AssertionError("read past the end of the request body")
        return self.frames.pop(0)

    def send(self, data):
        self.sent.append(data)


@contextlib.contextmanager
def interrupted_when(condition):
    """Raises Interrupted at the first bytecode of input.py's code that runs once
    `condition()` holds, as mod_wsgi.RequestTimeout can be. Python 3.12 moved tracing
    onto sys.monitoring, and 3.12 no longer honours f_trace_opcodes set by a trace
    function: there the instruction events are asked for directly."""
    codes = [f.__code__ for f in vars(Input).values() if hasattr(f, "__code__")]
    if sys.version_info < (3, 12):

        def tracer(frame, event, arg):
            if frame.f_code in codes:
                frame.f_trace_opcodes = True
                return opcode_tracer
            return None

        def opcode_tracer(frame, event, arg):
            if event == "opcode" and condition():
                sys.settrace(None)
                raise Interrupted()
            return opcode_tracer

        sys.settrace(tracer)
        try:
            yield
        finally:
            sys.settrace(None)
        return
    monitoring = sys.monitoring
    tool = monitoring.DEBUGGER_ID
    monitoring.use_tool_id(tool, "test_input")

    def stop():
        for code in codes:
            monitoring.set_local_events(tool, code, 0)

    def on_instruction(code, offset):
        if condition():
            stop()
            raise Interrupted()

    monitoring.register_callback(tool, monitoring.events.INSTRUCTION, on_instruction)
    for code in codes:
        monitoring.set_local_events(tool, code, monitoring.events.INSTRUCTION)
    try:
        yield
    finally:
        stop()
        monitoring.register_callback(tool, monitoring.events.INSTRUCTION, None)
        monitoring.free_tool_id(tool)


def body(*chunks, **kwargs):
    return Input(ScriptedConnection(chunks, **kwargs), expect_continue=False)


class Reads(unittest.TestCase):
    def test_read_everything_in_every_spelling(self):
        for argument in ((), (-1,), (None,)):
            with self.subTest(argument):
                stream = body(b"ab", b"cd", b"ef")
                self.assertEqual(stream.read(*argument), b"abcdef")
                self.assertEqual(stream.read(), b"")

    def test_read_n_spans_frames_and_stops_at_the_end(self):
        stream = body(b"abc", b"defg", b"h")
        self.assertEqual(stream.read(2), b"ab")
        self.assertEqual(stream.read(4), b"cdef")
        self.assertEqual(stream.read(100), b"gh")
        self.assertEqual(stream.read(1), b"")
        self.assertEqual(stream.read(0), b"")

    def test_eof_never_reads_past_the_body(self):
        connection = ScriptedConnection([b"xy"])
        stream = Input(connection, expect_continue=False)
        self.assertEqual(stream.read(10), b"xy")
        reads = connection.reads
        for _ in range(3):
            self.assertEqual(stream.read(10), b"")
            self.assertEqual(stream.readline(), b"")
        self.assertEqual(connection.reads, reads)

    def test_readline_with_and_without_size(self):
        stream = body(b"first li", b"ne\nsecond\n", b"tail")
        self.assertEqual(stream.readline(), b"first line\n")
        self.assertEqual(stream.readline(3), b"sec")
        self.assertEqual(stream.readline(100), b"ond\n")
        self.assertEqual(stream.readline(), b"tail")
        self.assertEqual(stream.readline(), b"")

    def test_readline_size_stops_before_the_newline_arrives(self):
        connection = ScriptedConnection([b"abcdef", b"gh\n"])
        stream = Input(connection, expect_continue=False)
        self.assertEqual(stream.readline(4), b"abcd")
        self.assertEqual(connection.reads, 1)

    def test_reads_that_match_frames_and_reads_that_straddle_them(self):
        stream = body(b"abcd", bytearray(b"efgh"), b"ijkl", b"mn")
        self.assertEqual(stream.read(4), b"abcd")
        data = stream.read(4)
        # A bytearray payload (a large frame, framing.FrameReader) still reads as bytes.
        self.assertEqual((data, type(data)), (b"efgh", bytes))
        self.assertEqual(stream.read(1), b"i")
        self.assertEqual(stream.read(4), b"jklm")
        self.assertEqual(stream.read(), b"n")
        self.assertEqual(stream.bytes_read, 14)

    def test_readline_finds_a_newline_frames_later(self):
        stream = body(b"ab", b"", b"cd", b"e\nf", b"g\n")
        self.assertEqual(stream.read(1), b"a")
        self.assertEqual(stream.readline(), b"bcde\n")
        self.assertEqual(stream.readline(), b"fg\n")
        self.assertEqual(stream.readline(), b"")

    def test_readlines_and_hint(self):
        self.assertEqual(body(b"a\nb\n", b"c").readlines(), [b"a\n", b"b\n", b"c"])
        self.assertEqual(body(b"aa\nbb\ncc\n").readlines(3), [b"aa\n"])
        self.assertEqual(body(b"aa\nbb\ncc\n").readlines(4), [b"aa\n", b"bb\n"])

    def test_iteration(self):
        self.assertEqual(list(body(b"x\ny", b"\nz")), [b"x\n", b"y\n", b"z"])

    def test_abort_raises_read_error(self):
        stream = body(b"part", end=framing.REQUEST_BODY_ABORT)
        self.assertEqual(stream.read(2), b"pa")
        with self.assertRaises(OSError) as caught:
            stream.read(10)
        self.assertIn("request data read error", str(caught.exception))
        with self.assertRaises(OSError):
            stream.read()

    def test_body_wanted_once_on_first_read(self):
        connection = ScriptedConnection([b"a", b"b"])
        stream = Input(connection, expect_continue=True)
        self.assertEqual(connection.sent, [])
        stream.read(1)
        stream.read()
        self.assertEqual(connection.sent, [framing.encode_frame(framing.BODY_WANTED)])

    def test_drain_discards_the_rest(self):
        connection = ScriptedConnection([b"a", b"b", b"c"])
        stream = Input(connection, expect_continue=True)
        stream.drain()
        self.assertEqual((connection.frames, connection.sent), ([], []))

    def test_another_request_head_inside_a_body_is_an_error(self):
        connection = ScriptedConnection([])
        connection.frames = [(framing.REQUEST_HEAD, b"{}")]
        with self.assertRaises(Exception):
            Input(connection, expect_continue=False).read()


def file_frame(path, length):
    return (framing.REQUEST_BODY_FILE, framing.BODY_FILE.pack(length) + path.encode("utf-8"))


class SpooledBodies(unittest.TestCase):
    """REQUEST_BODY_FILE: the front end's spool file is read here, then the frames."""

    def setUp(self):
        directory = tempfile.TemporaryDirectory()
        self.addCleanup(directory.cleanup)
        self.path = os.path.join(directory.name, "spool")
        with open(self.path, "wb") as spool:
            # An older, longer body's bytes past the announced length must never show.
            spool.write(b"file part\n" * 3 + b"OLDER BODY")

    def spooled(self, *after, end=framing.REQUEST_BODY_END, length=30):
        connection = ScriptedConnection(after, end=end)
        connection.frames.insert(0, file_frame(self.path, length))
        return connection, Input(connection, expect_continue=False)

    def open_descriptors(self):
        return len(os.listdir("/proc/self/fd"))

    def test_the_file_then_the_frames_that_follow_it(self):
        before = self.open_descriptors()
        connection, stream = self.spooled(b"tail")
        self.assertEqual(stream.readline(), b"file part\n")
        self.assertEqual(stream.read(), b"file part\n" * 2 + b"tail")
        self.assertEqual(stream.bytes_read, 34)
        self.assertEqual(self.open_descriptors(), before, "the file is closed once read")

    def test_large_files_are_read_a_frame_at_a_time(self):
        with open(self.path, "wb") as spool:
            spool.write(b"x" * (framing.MAX_BODY_FRAME + 10))
        _, stream = self.spooled(length=framing.MAX_BODY_FRAME + 10)
        self.assertEqual(len(stream.readline(5)), 5)
        self.assertEqual(len(stream._buffer), framing.MAX_BODY_FRAME - 5)
        self.assertEqual(len(stream.read()), framing.MAX_BODY_FRAME + 5)

    def test_reads_that_the_file_can_answer_come_straight_from_it(self):
        _, stream = self.spooled(b"tail")
        first = stream.read(4)
        self.assertEqual((first, stream._buffer), (b"file", bytearray()), "not buffered")
        self.assertEqual(stream.read(7), b" part\nf")
        self.assertEqual(stream.read(), b"ile part\nfile part\ntail")
        self.assertEqual(stream.bytes_read, 34)
        _, whole = self.spooled()
        self.assertEqual(whole.read(), b"file part\n" * 3)
        self.assertEqual((whole.read(), whole.bytes_read), (b"", 30))
        _, cut = self.spooled(end=framing.REQUEST_BODY_ABORT)
        with self.assertRaises(OSError):
            cut.read()
        _, zero = self.spooled()
        self.assertEqual(zero.read(0), b"")
        self.assertEqual(zero._connection.reads, 0, "read(0) waits for nothing")

    def test_drain_leaves_the_file_unread_and_closed(self):
        before = self.open_descriptors()
        connection, stream = self.spooled(b"tail")
        self.assertEqual(stream.read(4), b"file")
        stream.drain()
        self.assertEqual(connection.frames, [])
        self.assertEqual(self.open_descriptors(), before)
        _, unread = self.spooled(b"tail")
        unread.drain()
        self.assertEqual(unread._file, [])

    def test_a_timeout_just_after_the_file_opens_leaks_no_descriptor(self):
        # mod_wsgi.RequestTimeout is raised between any two bytecodes of the thread. Here
        # it is raised, as a trace function can, before the first bytecode that runs once
        # the spool file is open: the descriptor must already be where drain() finds it.
        before = self.open_descriptors()
        _, stream = self.spooled(b"tail")
        with interrupted_when(lambda: self.open_descriptors() > before):
            with self.assertRaises(Interrupted):
                stream.read(4)
        stream.drain()
        self.assertEqual(self.open_descriptors(), before)

    def test_a_file_that_cannot_be_read_is_a_read_error_not_other_bytes(self):
        for path, length in ((self.path + ".gone", 30), (self.path, 100)):
            with self.subTest(path=path, length=length):
                connection = ScriptedConnection([b"tail"])
                connection.frames.insert(0, file_frame(path, length))
                stream = Input(connection, expect_continue=False)
                with captured_stderr() as errors:
                    with self.assertRaises(OSError) as caught:
                        stream.read()
                self.assertIn("request data read error", str(caught.exception))
                self.assertIn("cannot read the request body spooled to", errors.getvalue())
                self.assertEqual(connection.frames, [], "the rest of the body was drained")

    def test_a_bad_file_frame_breaks_the_connection(self):
        connection = ScriptedConnection([])
        connection.frames.insert(0, (framing.REQUEST_BODY_FILE, b"\0" * 8))
        with self.assertRaises(framing.ProtocolError):
            Input(connection, expect_continue=False).read()


if __name__ == "__main__":
    unittest.main()
