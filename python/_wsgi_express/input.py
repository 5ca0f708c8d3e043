"""wsgi.input (PEP 3333 "Input and Error Streams"): the request body, read from
REQUEST_BODY frames only as the application asks for it, so a large upload is never
held in memory unless the application reads it all at once. A body the front end
spooled to a file comes as REQUEST_BODY_FILE, and is read from that file."""

import os

from . import framing
from .errorlog import log
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
        # The spool file being read (REQUEST_BODY_FILE): its descriptor once opened (in
        # a list: _open_file says why), its path, and the bytes of it still to read,
        # from _file_offset on.
        self._file = []
        self._file_path = None
        self._file_left = 0
        self._file_offset = 0
        # The spool file could not be read: the rest of the body is discarded, and
        # reads fail once the buffer is empty (as for a body the client broke off).
        self._discarding = False

    def _fill(self):
        """Reads one frame into the buffer. Returns False once the body has ended."""
        if self._file_left:
            return self._read_file()
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
            if not self._discarding:
                self._buffer += payload
            return True
        if frame_type == framing.REQUEST_BODY_FILE:
            try:
                self._file_path, self._file_left = framing.decode_body_file(payload)
            except ProtocolError as error:
                self._break(error)
            self._file_offset = 0
            return True
        if frame_type == framing.REQUEST_BODY_END:
            self.finished = True
            return False
        if frame_type == framing.REQUEST_BODY_ABORT:
            self.finished = self.aborted = True
            return False
        self._break(ProtocolViolation("frame type 0x%02x inside a request body" % frame_type))

    def _read_file(self):
        """Reads the next piece of the spool file into the buffer."""
        data = self._pread(min(self._file_left, framing.MAX_BODY_FRAME))
        if not self._discarding:
            self._buffer += data
        return True

    def _pread(self, size):
        """Up to ``size`` bytes more of the spool file; b"" when it cannot be read, which
        is logged, and the rest of the body is discarded. The front end keeps the file,
        unchanged, until this request's response has ended."""
        try:
            if not self._file:
                self._open_file()
            data = os.pread(self._file[0], size, self._file_offset)
            if not data:
                raise OSError("it ends %d bytes short" % self._file_left)
        except OSError as error:
            log("cannot read the request body spooled to %s: %s"
                 % (self._file_path, error))
            self._close_file()
            self._file_left = 0
            self._discarding = self.aborted = True
            return b""
        self._file_left -= len(data)
        self._file_offset += len(data)
        if not self._file_left:
            self._close_file()
        return data

    def _read_file_directly(self, size):
        """read(size) from the spool file into the bytes returned, not through the
        buffer: one copy instead of three. None when it cannot be done that way; what
        was read is then in the buffer."""
        data = self._pread(self._file_left if size < 0 else min(size, self._file_left))
        if size >= 0 and len(data) == size:
            self.bytes_read += size
            return data
        if size < 0 and not self._file_left and not self._discarding and not self._fill():
            # The file was all of the body.
            self._check()
            self.bytes_read += len(data)
            return data
        self._buffer[:0] = data
        return None

    def _open_file(self):
        # Opened and stored in one call: a RequestTimeout, raised between any two
        # bytecodes, lands before os.open or after the descriptor is stored, never in
        # between, where the descriptor (and the spool file's disk) would leak.
        self._file.extend(map(os.open, (self._file_path,), (os.O_RDONLY | os.O_CLOEXEC,)))

    def _close_file(self):
        if self._file:
            os.close(self._file.pop())

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
            size = -1
        if not self._buffer and size != 0:
            if not self._file_left and not self.finished:
                self._fill()  # the next frame: its bytes in the buffer, or a spool file
            if self._file_left and not self._buffer:
                direct = self._read_file_directly(size)
                if direct is not None:
                    return direct
        if size < 0:
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
        # What is left of a spool file is not read: its frames are all that matter.
        self._close_file()
        self._file_left = 0
        while self._fill():
            self._buffer.clear()
            self._file_left = 0
        if self._broken is not None:
            raise self._broken
