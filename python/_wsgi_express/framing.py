"""Framing layer of the daemon protocol (docs/protocol.md): bytes <-> frames.

A frame is a type byte, a big-endian u32 payload length and the payload. The runtime
reads frames only through ``FrameReader``; the tests drive it over a stand-in socket
with the chunks of the shared vectors in test/vectors/frames.json.
"""

import mmap
import struct

HEADER = struct.Struct(">BI")
HEADER_SIZE = HEADER.size
MAX_PAYLOAD = 16 * 1024 * 1024
# Writers split bodies into frames of at most 1 MiB (protocol.md, "Framing").
MAX_BODY_FRAME = 1024 * 1024

HELLO = 0x01
HEARTBEAT = 0x02
RECYCLE = 0x03
RECALLED = 0x04
RESPONSE_HEAD = 0x11
RESPONSE_BODY = 0x12
RESPONSE_END = 0x13
RESPONSE_ERROR = 0x14
BODY_WANTED = 0x15
REQUEST_HEAD = 0x21
REQUEST_BODY = 0x22
REQUEST_BODY_END = 0x23
REQUEST_BODY_ABORT = 0x24
ENVIRON_BASE = 0x25
REQUEST_BODY_FILE = 0x26
ABORT = 0x31
INTERRUPT = 0x32
SHUTDOWN = 0x33
RECALL = 0x34

KNOWN_TYPES = frozenset((
    HELLO, RESPONSE_HEAD, RESPONSE_BODY, RESPONSE_END, RESPONSE_ERROR, BODY_WANTED,
    REQUEST_HEAD, REQUEST_BODY, REQUEST_BODY_END, REQUEST_BODY_ABORT, ENVIRON_BASE,
    REQUEST_BODY_FILE, ABORT,
    HEARTBEAT, RECYCLE, INTERRUPT, SHUTDOWN, RECALL, RECALLED,
))

# One recv() this large usually carries a whole request head and body, so a small
# request costs a single system call (the benchmark compares us with gunicorn). It goes
# into one reused buffer: recv(256 KiB) would allocate (and with glibc, mmap) 256 KiB
# per call, which costs more than the system call itself. The buffer is an anonymous
# mapping, not a bytearray: bytearray(n) zero-fills, so every connection (five per
# daemon with --threads 4) held 256 KiB resident before its first request; a mapping's
# pages become resident only as recv() writes them (issue #6).
RECV_SIZE = 256 * 1024


class ProtocolError(Exception):
    """A frame that breaks the protocol. The connection is closed, never resynced."""

    def __init__(self, reason, message):
        super().__init__(message)
        # 'unknown-type', 'oversized', 'bad-message' or 'truncated' (as the TS side),
        # or 'interrupted' (FrameReader.read_frame)
        self.reason = reason


def encode_frame(frame_type, payload=b""):
    return HEADER.pack(frame_type, len(payload)) + payload


def encode_header(frame_type, length):
    """Only the 5-byte header, for sending a large payload without copying it."""
    return HEADER.pack(frame_type, length)


def body_frames(data):
    """``data`` as RESPONSE_BODY frame pieces (headers and slices), split at 1 MiB."""
    if len(data) <= MAX_BODY_FRAME:
        return [HEADER.pack(RESPONSE_BODY, len(data)), data]
    view = memoryview(data)
    pieces = []
    for start in range(0, len(data), MAX_BODY_FRAME):
        part = view[start:start + MAX_BODY_FRAME]
        pieces.append(HEADER.pack(RESPONSE_BODY, len(part)))
        pieces.append(part)
    return pieces


BODY_FILE = struct.Struct(">Q")


def decode_body_file(payload):
    """REQUEST_BODY_FILE's ``(path, length)``: the first ``length`` bytes of the file
    at ``path`` are the next part of the body (protocol.md, "Spooled bodies")."""
    if len(payload) <= BODY_FILE.size:
        raise ProtocolError("bad-message", "REQUEST_BODY_FILE without a path")
    (length,) = BODY_FILE.unpack_from(payload)
    try:
        path = bytes(payload[BODY_FILE.size:]).decode("utf-8")
    except UnicodeDecodeError:
        raise ProtocolError("bad-message", "REQUEST_BODY_FILE's path is not UTF-8")
    return path, length


def parse_header(buffer, pos):
    """The ``(type, length)`` of the frame header at ``buffer[pos:]``. Raises
    ProtocolError on a bad one; there is no resynchronising."""
    frame_type, length = HEADER.unpack_from(buffer, pos)
    if frame_type not in KNOWN_TYPES:
        raise ProtocolError("unknown-type", "unknown frame type 0x%02x" % frame_type)
    if length > MAX_PAYLOAD:
        raise ProtocolError(
            "oversized", "frame payload of %d bytes is over the limit" % length)
    return frame_type, length


class FrameReader:
    """Blocking frame reader over a socket: one large recv() feeds many frames.

    Bytes are received into one reused buffer and each payload is copied out of it
    once. A payload larger than a quarter of that buffer is received straight into its
    own buffer instead (past what had already arrived), so it is copied once too.
    """

    def __init__(self, sock, recv_size=RECV_SIZE):
        self._sock = sock
        self._scratch = mmap.mmap(-1, recv_size)
        self._view = memoryview(self._scratch)
        # The bytes received and not yet read: scratch[start:end].
        self._start = 0
        self._end = 0
        # True from the start of a read until it returns its frame. Still true at the
        # next read means an exception left the last one part-way through a frame (a
        # RequestTimeout raised in the thread lands between any two bytecodes), and
        # what follows in the stream would be read from inside that frame.
        self._reading = False

    def read_frame(self):
        """The next frame as ``(type, payload)``, or None when the peer closed the
        connection cleanly. The payload is bytes, or a bytearray for a large frame."""
        if self._reading:
            raise ProtocolError("interrupted", "an exception interrupted the reading of "
                                "a frame, so the stream's frame boundary is lost")
        self._reading = True
        if not self._fill(HEADER_SIZE):
            self._reading = False
            return None
        frame_type, length = parse_header(self._scratch, self._start)
        self._start += HEADER_SIZE
        if length > len(self._scratch) // 4 and self._end - self._start < length:
            payload = self._receive_large(length)
        else:
            if not self._fill(length):
                raise ProtocolError("truncated", "connection closed inside a frame")
            start = self._start
            self._start = start + length
            payload = bytes(self._view[start:start + length])
        self._reading = False
        return frame_type, payload

    def _fill(self, size):
        """Makes ``size`` bytes available in the buffer; False if the peer closes first
        with none (a clean end), ProtocolError if it closes with some."""
        while self._end - self._start < size:
            if self._start == self._end:
                self._start = self._end = 0
            elif len(self._scratch) - self._start < size:
                # Too little room after the unread bytes: move them to the front.
                unread = self._end - self._start
                self._view[:unread] = self._view[self._start:self._end]
                self._start, self._end = 0, unread
            received = self._sock.recv_into(self._view[self._end:])
            if not received:
                if self._end > self._start:
                    raise ProtocolError("truncated", "connection closed inside a frame")
                return False
            self._end += received
        return True

    def _receive_large(self, length):
        payload = bytearray(length)
        got = self._end - self._start
        payload[:got] = self._view[self._start:self._end]
        self._start = self._end = 0
        with memoryview(payload) as view:
            while got < length:
                received = self._sock.recv_into(view[got:])
                if not received:
                    raise ProtocolError("truncated", "connection closed inside a frame")
                got += received
        return payload
