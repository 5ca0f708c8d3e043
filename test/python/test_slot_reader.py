"""SlotReader (embedded mode's frame reader over the addon's pieces) against the same
vectors as FrameReader, and the cases where a frame spans pieces."""

import json
import unittest

from .support import VECTORS
from _wsgi_express import framing
from _wsgi_express.framing import ProtocolError
from _wsgi_express.slot_reader import SlotReader

with open(VECTORS) as handle:
    VECTOR_DATA = json.load(handle)


class Pieces:
    """recv() over a list: each piece in turn, an exception raised where it stands,
    then b"" (the slot closed)."""

    def __init__(self, pieces):
        self.pieces = list(pieces)

    def __call__(self):
        if not self.pieces:
            return b""
        piece = self.pieces.pop(0)
        if isinstance(piece, BaseException):
            raise piece
        return piece


def read_all(pieces):
    reader, frames = SlotReader(Pieces(pieces)), []
    frame = reader.read_frame()
    while frame is not None:
        frames.append(frame)
        frame = reader.read_frame()
    return frames


class SlotReaderVectors(unittest.TestCase):
    def test_decode_valid(self):
        for case in VECTOR_DATA["valid"]:
            with self.subTest(case["name"]):
                self.assertEqual(read_all([bytes.fromhex(case["encoded"])]),
                                 [(case["type"], bytes.fromhex(case["payload"]))])

    def test_stream_reassembly(self):
        for case in VECTOR_DATA["streams"]:
            with self.subTest(case["name"]):
                frames = read_all([bytes.fromhex(chunk) for chunk in case["chunks"]])
                self.assertEqual(frames, [(frame_type, bytes.fromhex(payload))
                                          for frame_type, payload in case["frames"]])

    def test_invalid(self):
        for case in VECTOR_DATA["invalid"]:
            with self.subTest(case["name"]):
                with self.assertRaises(ProtocolError) as caught:
                    read_all([bytes.fromhex(case["bytes"])])
                self.assertEqual(caught.exception.reason, case["error"])


class SlotReaderPieces(unittest.TestCase):
    def test_frames_across_and_within_pieces_byte_by_byte(self):
        stream = (framing.encode_frame(framing.REQUEST_HEAD, b"head")
                  + framing.encode_frame(framing.REQUEST_BODY, b"x" * 300)
                  + framing.encode_frame(framing.REQUEST_BODY_END))
        expected = [(framing.REQUEST_HEAD, b"head"), (framing.REQUEST_BODY, b"x" * 300),
                    (framing.REQUEST_BODY_END, b"")]
        self.assertEqual(read_all([stream]), expected)
        self.assertEqual(read_all([stream[i:i + 1] for i in range(len(stream))]), expected)
        self.assertEqual(read_all([stream[:3], stream[3:12], stream[12:]]), expected)

    def test_payloads_are_bytes(self):
        frames = read_all([framing.encode_frame(framing.REQUEST_BODY, b"abc") * 2])
        self.assertTrue(all(type(payload) is bytes for _, payload in frames))

    def test_close_inside_a_frame_is_an_error(self):
        for pieces in ([bytes.fromhex("120000000561")], [bytes.fromhex("1200")]):
            with self.subTest(pieces=pieces):
                with self.assertRaises(ProtocolError) as caught:
                    read_all(pieces)
                self.assertEqual(caught.exception.reason, "truncated")

    def test_no_frame_is_read_after_a_read_left_inside_one(self):
        smuggled = framing.encode_frame(framing.REQUEST_BODY_END)
        body = framing.encode_frame(framing.REQUEST_BODY, smuggled + b"x" * 100)
        reader = SlotReader(Pieces([body[:20], KeyboardInterrupt(), body[20:]]))
        with self.assertRaises(KeyboardInterrupt):
            reader.read_frame()
        with self.assertRaises(ProtocolError) as caught:
            reader.read_frame()
        self.assertEqual(caught.exception.reason, "interrupted")


if __name__ == "__main__":
    unittest.main()
