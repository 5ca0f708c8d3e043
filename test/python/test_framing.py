"""The Python framing against the vectors the TypeScript side is tested with."""

import json
import socket
import threading
import unittest

from .support import VECTORS, ChunkSocket, read_frames
from _wsgi_express import framing
from _wsgi_express.framing import FrameReader, ProtocolError

with open(VECTORS) as handle:
    VECTOR_DATA = json.load(handle)


class FramingVectors(unittest.TestCase):
    def test_max_payload_matches(self):
        self.assertEqual(framing.MAX_PAYLOAD, VECTOR_DATA["maxPayload"])

    def test_encode_valid(self):
        for case in VECTOR_DATA["valid"]:
            with self.subTest(case["name"]):
                encoded = framing.encode_frame(case["type"], bytes.fromhex(case["payload"]))
                self.assertEqual(encoded.hex(), case["encoded"])

    def test_decode_valid(self):
        for case in VECTOR_DATA["valid"]:
            with self.subTest(case["name"]):
                frames = read_frames([bytes.fromhex(case["encoded"])])
                self.assertEqual(frames, [(case["type"], bytes.fromhex(case["payload"]))])

    def test_stream_reassembly(self):
        for case in VECTOR_DATA["streams"]:
            with self.subTest(case["name"]):
                frames = read_frames([bytes.fromhex(chunk) for chunk in case["chunks"]])
                expected = [(frame_type, bytes.fromhex(payload))
                            for frame_type, payload in case["frames"]]
                self.assertEqual(frames, expected)

    def test_invalid(self):
        for case in VECTOR_DATA["invalid"]:
            with self.subTest(case["name"]):
                with self.assertRaises(ProtocolError) as caught:
                    read_frames([bytes.fromhex(case["bytes"])])
                self.assertEqual(caught.exception.reason, case["error"])

    def test_truncated_stays_pending(self):
        # The reader asks for the rest (here: a socket with nothing more to give) rather
        # than returning a frame or failing.
        for case in VECTOR_DATA["truncated"]:
            with self.subTest(case["name"]):
                sock = ChunkSocket([bytes.fromhex(case["bytes"])], then=BlockingIOError())
                with self.assertRaises(BlockingIOError):
                    FrameReader(sock).read_frame()


class BodyFrames(unittest.TestCase):
    def test_small_body_is_one_frame(self):
        pieces = framing.body_frames(b"abc")
        self.assertEqual(b"".join(pieces), framing.encode_frame(framing.RESPONSE_BODY, b"abc"))

    def test_large_body_splits_at_one_mebibyte(self):
        data = bytes(range(256)) * (framing.MAX_BODY_FRAME // 256 * 2 + 3)
        frames = read_frames([b"".join(bytes(piece) for piece in framing.body_frames(data))])
        self.assertEqual([len(payload) for _, payload in frames],
                         [framing.MAX_BODY_FRAME, framing.MAX_BODY_FRAME, 768])
        self.assertEqual(b"".join(payload for _, payload in frames), data)


class SocketReader(unittest.TestCase):
    def setUp(self):
        self.ours, self.theirs = socket.socketpair()
        self.ours.settimeout(5)
        self.addCleanup(self.ours.close)
        self.addCleanup(self.theirs.close)

    def test_many_frames_in_one_recv_and_clean_end(self):
        self.theirs.sendall(b"".join(framing.encode_frame(framing.REQUEST_BODY, b"x" * n)
                                     for n in range(50)))
        self.theirs.close()
        reader = FrameReader(self.ours)
        sizes = [len(reader.read_frame()[1]) for _ in range(50)]
        self.assertEqual(sizes, list(range(50)))
        self.assertIsNone(reader.read_frame())

    def test_frame_larger_than_one_recv(self):
        payload = bytes(range(256)) * 4096
        frame = framing.encode_frame(framing.REQUEST_BODY, payload)
        sender = threading.Thread(target=self.theirs.sendall, args=(frame,))
        sender.start()
        self.addCleanup(sender.join)
        reader = FrameReader(self.ours, recv_size=4096)
        self.assertEqual(reader.read_frame(), (framing.REQUEST_BODY, payload))

    def read_all(self, data, recv_size):
        """Every frame ``data`` holds, through a FrameReader with that buffer size."""
        ours, theirs = socket.socketpair()
        self.addCleanup(ours.close)
        sender = threading.Thread(target=lambda: (theirs.sendall(data), theirs.close()))
        sender.start()
        self.addCleanup(sender.join)
        reader, frames = FrameReader(ours, recv_size=recv_size), []
        frame = reader.read_frame()
        while frame is not None:
            frames.append(frame)
            frame = reader.read_frame()
        return frames

    def test_vectors_through_small_and_large_buffers(self):
        # 16 bytes: payloads over 4 bytes take the large-frame path, headers straddle
        # the end of the buffer and unread bytes move to its front.
        for recv_size in (16, 64, framing.RECV_SIZE):
            for case in VECTOR_DATA["streams"]:
                with self.subTest(case["name"], recv_size=recv_size):
                    data = b"".join(bytes.fromhex(chunk) for chunk in case["chunks"])
                    expected = [(frame_type, bytes.fromhex(payload))
                                for frame_type, payload in case["frames"]]
                    self.assertEqual(self.read_all(data, recv_size), expected)
            for case in VECTOR_DATA["invalid"]:
                with self.subTest(case["name"], recv_size=recv_size):
                    with self.assertRaises(ProtocolError) as caught:
                        self.read_all(bytes.fromhex(case["bytes"]), recv_size)
                    self.assertEqual(caught.exception.reason, case["error"])
            for case in VECTOR_DATA["truncated"]:
                with self.subTest(case["name"], recv_size=recv_size):
                    with self.assertRaises(ProtocolError) as caught:
                        self.read_all(bytes.fromhex(case["bytes"]), recv_size)
                    self.assertEqual(caught.exception.reason, "truncated")

    def test_mixed_sizes_through_a_small_buffer(self):
        types = (framing.REQUEST_HEAD, framing.REQUEST_BODY, framing.REQUEST_BODY_END)
        expected = [(types[index % 3], bytes([index + 1]) * size) for index, size in
                    enumerate((0, 3, 11, 40, 1, 200, 7, 2, 64, 5, 9, 4))]
        data = b"".join(framing.encode_frame(*frame) for frame in expected)
        for recv_size in (16, 32, 100):
            with self.subTest(recv_size=recv_size):
                self.assertEqual(self.read_all(data, recv_size), expected)

    def test_close_inside_a_frame_is_an_error(self):
        self.theirs.sendall(bytes.fromhex("120000000561"))
        self.theirs.close()
        with self.assertRaises(ProtocolError) as caught:
            FrameReader(self.ours).read_frame()
        self.assertEqual(caught.exception.reason, "truncated")


class Interrupted(Exception):
    """Stands for mod_wsgi.RequestTimeout, which the monitor raises in a request's
    thread: it lands between any two bytecodes, so also between two reads of a frame."""


class InterruptedReads(unittest.TestCase):
    def test_no_frame_is_read_after_a_read_left_inside_one(self):
        # A request body whose bytes are frames: read from where the interrupted read
        # stopped, they would become control frames (uWSGI issue 2336).
        smuggled = (framing.encode_frame(framing.REQUEST_BODY_END)
                    + framing.encode_frame(framing.REQUEST_HEAD, b"smuggled"))
        body = framing.encode_frame(framing.REQUEST_BODY, smuggled + b"x" * 100)
        reader = FrameReader(ChunkSocket([body[:20], Interrupted(), body[20:]]))
        with self.assertRaises(Interrupted):
            reader.read_frame()
        with self.assertRaises(ProtocolError) as caught:
            reader.read_frame()
        self.assertEqual(caught.exception.reason, "interrupted")


if __name__ == "__main__":
    unittest.main()
