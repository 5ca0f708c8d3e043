"""Frames from an embedded slot (embedded.py): the pieces the addon's recv() returns are
bytes objects already, so they are parsed where they lie, not copied first into a
receive buffer as FrameReader does for a socket. A payload is one slice of its piece
(one copy, as FrameReader's); a frame that spans pieces is joined once."""

from .framing import HEADER_SIZE, ProtocolError, parse_header


class SlotReader:
    """FrameReader's read_frame() over ``recv()``, a callable returning the next piece
    (b"" once the slot is closed)."""

    def __init__(self, recv):
        self._recv = recv
        self._data = b""
        self._pos = 0
        # As FrameReader's: an exception that left a read part-way through a frame
        # means the stream's frame boundary is lost.
        self._reading = False

    def read_frame(self):
        if self._reading:
            raise ProtocolError("interrupted", "an exception interrupted the reading of "
                                "a frame, so the stream's frame boundary is lost")
        self._reading = True
        data, pos = self._data, self._pos
        if len(data) - pos < HEADER_SIZE:
            if not self._gather(HEADER_SIZE):
                self._reading = False
                return None
            data, pos = self._data, 0
        frame_type, length = parse_header(data, pos)
        start = pos + HEADER_SIZE
        end = start + length
        if end > len(data):
            self._pos = pos
            if not self._gather(HEADER_SIZE + length):
                raise ProtocolError("truncated", "connection closed inside a frame")
            data, start = self._data, HEADER_SIZE
            end = start + length
        payload = data[start:end]
        if end == len(data):
            self._data, self._pos = b"", 0
        else:
            self._pos = end
        self._reading = False
        return frame_type, payload

    def _gather(self, size):
        """Makes ``size`` bytes from the current position the start of self._data; False
        if the slot closes first with none unread (a clean end)."""
        pieces = [self._data[self._pos:]] if self._pos < len(self._data) else []
        have = len(pieces[0]) if pieces else 0
        while have < size:
            piece = self._recv()
            if not piece:
                if have:
                    raise ProtocolError("truncated", "connection closed inside a frame")
                self._data, self._pos = b"", 0
                return False
            pieces.append(piece)
            have += len(piece)
        self._data = pieces[0] if len(pieces) == 1 else b"".join(pieces)
        self._pos = 0
        return True
