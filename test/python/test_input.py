"""wsgi.input read semantics over scripted body frames (PEP 3333 input stream)."""

import unittest

from .support import base_environ, FakeFrontEnd
from _wsgi_express import framing
from _wsgi_express.input import Input


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


if __name__ == "__main__":
    unittest.main()
