"""wsgi.input (PEP 3333 "Input and Error Streams"): the request body, read from
REQUEST_BODY frames only as the application asks for it, so a large upload is never
held in memory unless the application reads it all at once."""

from . import framing
from .framing import ProtocolError

READ_ERROR = ("wsgi-express request data read error: the client went away or sent "
              "an invalid body; partial results are valid but processing is incomplete")


class ProtocolViolation(Exception):
    """A frame that cannot appear inside a request body."""


class Input:
    def __init__(self, connection, expect_continue):
        self._connection = connection
        # With "Expect: 100-continue" the front end holds the body back until we ask.
        self._want_pending = expect_continue
        self._buffer = bytearray()
        self.finished = False  # REQUEST_BODY_END or _ABORT seen: the body is complete
        self.aborted = False
        self.bytes_read = 0
        # A protocol error met while the application was reading: the application
        # may swallow the exception, so drain() raises it again for the worker.
        self._broken = None

    def _fill(self):
        """Reads one frame into the buffer. Returns False once the body has ended."""
        if self.finished:
            return False
        if self._want_pending:
            self._want_pending = False
            self._connection.send(framing.encode_frame(framing.BODY_WANTED))
        try:
            frame_type, payload = self._connection.read_frame()
        except ProtocolError as error:
            self._break(error)
        if frame_type == framing.REQUEST_BODY:
            self._buffer += payload
            return True
        if frame_type == framing.REQUEST_BODY_END:
            self.finished = True
            return False
        if frame_type == framing.REQUEST_BODY_ABORT:
            self.finished = self.aborted = True
            return False
        self._break(ProtocolViolation("frame type 0x%02x inside a request body" % frame_type))

    def _break(self, error):
        self.finished = True
        self._broken = error
        raise error

    def _check(self):
        if self.aborted:
            # mod_wsgi raises IOError (now OSError) for a broken request body.
            raise OSError(READ_ERROR)

    def _take(self, size):
        buffer = self._buffer
        # Through a memoryview: one copy (a bytearray slice and bytes() would be two).
        with memoryview(buffer) as view:
            data = bytes(view[:size])
        if len(data) == len(buffer):
            buffer.clear()
        else:
            del buffer[:size]
        self.bytes_read += len(data)
        return data

    def read(self, size=-1):
        if size is None or size < 0:
            while self._fill():
                pass
            self._check()
            return self._take(len(self._buffer))
        while len(self._buffer) < size and self._fill():
            pass
        if len(self._buffer) < size:
            self._check()
        return self._take(size)

    def readline(self, size=-1):
        if size is None:
            size = -1
        start = 0
        while True:
            end = self._buffer.find(b"\n", start)
            if end >= 0:
                end += 1
                break
            if 0 <= size <= len(self._buffer):
                end = size
                break
            start = len(self._buffer)
            if not self._fill():
                self._check()
                end = len(self._buffer)
                break
        if 0 <= size < end:
            end = size
        return self._take(end)

    def readlines(self, hint=-1):
        if hint is None:
            hint = -1
        lines, total = [], 0
        while True:
            line = self.readline()
            if not line:
                return lines
            lines.append(line)
            total += len(line)
            if 0 < hint <= total:
                return lines

    def __iter__(self):
        return self

    def __next__(self):
        line = self.readline()
        if not line:
            raise StopIteration
        return line

    def drain(self):
        """Discards the rest of the body up to REQUEST_BODY_END/_ABORT (protocol.md,
        "One request", step 4) so the next REQUEST_HEAD starts a clean frame."""
        self._want_pending = False
        self._buffer.clear()
        while self._fill():
            self._buffer.clear()
        if self._broken is not None:
            raise self._broken
