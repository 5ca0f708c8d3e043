"""The response side of one request: start_response(), the write() callable and the
returned iterable (PEP 3333), sent as RESPONSE_HEAD / RESPONSE_BODY / RESPONSE_END."""

import json
import os

from . import framing
from .errorlog import log
from .filewrapper import regular_file_span
from .headers import check_headers, check_status
from .messages import encode_response_head

# A returned list is sent in one write when it is small; past this it is flushed in
# parts so a list of large strings is not copied into one buffer.
FLUSH_SIZE = framing.MAX_BODY_FRAME
END_FRAME = framing.encode_frame(framing.RESPONSE_END)

# A second start_response() without exc_info is logged once per process, not per request.
_warned_second_call = []


class ClientGone(Exception):
    """The front end sent ABORT for this request: its client went away."""


class Response:
    def __init__(self, connection, request, on_start=None, sendfile=False, head_only=False,
                 on_end=None):
        self._connection = connection
        self._request = request  # .aborted is set by the control thread on ABORT
        self._on_start = on_start
        # Called once, just before the frame that ends the response goes out: what it
        # records is done before the front end (and so the client) sees the end.
        self._on_end = on_end
        self._sendfile = sendfile  # --enable-sendfile
        # A HEAD request: the client gets no body, so none is sent to the front end,
        # which would only drop it. The application still produces it (and its
        # iterable is still iterated and closed), as under mod_wsgi.
        self._head_only = head_only
        self.status = None
        self.headers = None
        self.content_length = None  # declared by the app, never exceeded
        self.head_sent = False
        self.wrote = False
        self.body_bytes = 0
        self.surplus_bytes = 0  # produced beyond content_length, trimmed (issue #7)
        self._out = []  # framed pieces, in order
        self._body = []  # body data not framed yet; always after everything in _out
        self._body_size = 0

    def start_response(self, status, headers, exc_info=None):
        if exc_info is not None:
            try:
                if self.head_sent:
                    # PEP 3333: too late to change the response; re-raise the error.
                    raise exc_info[1].with_traceback(exc_info[2])
            finally:
                exc_info = None
        elif self.head_sent:
            raise RuntimeError("start_response() was called a second time without "
                               "exc_info after the headers were sent (PEP 3333)")
        elif self.status is not None:
            # PEP 3333 makes this an error, but mod_wsgi lets the second call win while
            # nothing is sent yet, and apps rely on it: do the same, and say so once.
            _warn_second_call()
        content_length = check_headers(headers)
        self.status = check_status(status)
        self.headers, self.content_length = headers, content_length
        if self._on_start is not None:
            self._on_start(self.status, headers, exc_info)
        return self.write

    def write(self, data):
        """The write() callable: sends the head, then ``data``, before returning."""
        if self.status is None:
            raise RuntimeError("write() called before start_response()")
        if type(data) is not bytes:
            raise TypeError("write() argument must be bytes, got %s" % type(data).__name__)
        if self._request.aborted:
            # mod_wsgi raises IOError when the client is gone; apps may stop early.
            raise OSError("failed to write response data: the client went away")
        self.wrote = True
        self._queue_body(data)
        if not self.head_sent:
            self._queue_head()
        self.flush()

    def send_result(self, result):
        """Sends the iterable the application returned (closing it is the caller's)."""
        if isinstance(result, bytes):
            # A bare bytes object would be iterated per byte; send it as one chunk.
            result = (result,)
        elif isinstance(result, str) or not _iterable(result):
            raise TypeError("WSGI application returned an object of type %s; expected "
                            "an iterable of bytes" % type(result).__name__)
        span = None if self.wrote else regular_file_span(result)
        if span is not None:
            return self._send_file(*span)
        if isinstance(result, (list, tuple)):
            return self._send_sequence(result)
        for chunk in result:
            self._chunk(chunk)
            self.flush()
            self._check_aborted()

    def _send_sequence(self, result):
        # Everything is already in memory: no reason to send it piecemeal.
        for chunk in result:
            self._chunk(chunk)
            if self._body_size >= FLUSH_SIZE:
                self.flush()
                self._check_aborted()

    def _chunk(self, chunk):
        if type(chunk) is not bytes:
            raise TypeError("WSGI application iterable yielded an object of type %s; "
                            "expected bytes" % type(chunk).__name__)
        if chunk:
            self._require_started()
            self._queue_body(chunk)

    def _send_file(self, fd, position, size):
        """mod_wsgi's file_wrapper path: from tell(), Content-Length bytes if declared,
        else the rest of the file with a Content-Length header added."""
        self._require_started()
        remaining = max(size - position, 0)
        if self.content_length is None:
            self.headers = self.headers + [("Content-Length", str(remaining))]
            self.content_length = remaining
        remaining = min(remaining, self.content_length)
        if self._head_only:
            # Not a byte of the file is read: the head says how many there are.
            self._queue_head()
            self.body_bytes += remaining
            return
        if self._sendfile:
            self._send_file_frames(fd, position, remaining)
            return
        while remaining > 0:
            # pread leaves the file offset alone, as mod_wsgi restores it afterwards.
            data = os.pread(fd, min(framing.MAX_BODY_FRAME, remaining), position)
            if not data:
                break
            self._queue_body(data)
            position += len(data)
            remaining -= len(data)
            if remaining > 0:
                self.flush()
                self._check_aborted()

    def _send_file_frames(self, fd, position, remaining):
        """--enable-sendfile: the head and each frame header pass through Python; the
        bytes go from the file to the socket with sendfile(), like mod_wsgi's
        WSGIEnableSendfile. The file's own offset is left alone, as on the pread path."""
        # A file that cannot be read at all (opened write-only, say) fails here, before
        # anything is announced, as on the pread path: a 500, not a cut connection.
        os.pread(fd, 1, position)
        if not self.head_sent:
            self._queue_head()
        use_sendfile = True
        while remaining > 0:
            # A frame never announces more than the file holds now: one that shrank
            # before this point ends the response short, as on the pread path.
            count = min(framing.MAX_BODY_FRAME, remaining,
                        max(os.fstat(fd).st_size - position, 0))
            if count == 0:
                return
            # The head, the first time (no body is queued: this path is taken only
            # before any), then this frame's header, in one write with its bytes.
            out, self._out = self._out, []
            out.append(framing.encode_header(framing.RESPONSE_BODY, count))
            use_sendfile = self._connection.send_file(out, fd, position, count, use_sendfile)
            self.body_bytes += count
            position += count
            remaining -= count
            self._check_aborted()

    def _queue_body(self, data):
        if not data:
            return
        if self.content_length is not None:
            room = self.content_length - self.body_bytes
            if len(data) > room:
                # mod_wsgi never sends more than a declared Content-Length; finish() then
                # ends with RESPONSE_ERROR so the front end closes the connection.
                self.surplus_bytes += len(data) - max(room, 0)
                if room <= 0:
                    return
                data = data[:room]
        if not self.head_sent:
            self._queue_head()
        self.body_bytes += len(data)
        if self._head_only:
            return
        # Held unframed until the next flush, so a list of small strings becomes one
        # RESPONSE_BODY frame rather than one per item.
        self._body.append(data)
        self._body_size += len(data)

    def _queue_head(self):
        payload = encode_response_head(self.status, self.headers)
        self._out.append(framing.encode_frame(framing.RESPONSE_HEAD, payload))
        self.head_sent = True

    def _require_started(self):
        if self.status is None:
            raise RuntimeError("WSGI application produced body data before calling "
                               "start_response()")

    def _check_aborted(self):
        if self._request.aborted:
            raise ClientGone("the client went away")

    def _frame_body(self):
        if self._body:
            data = self._body[0] if len(self._body) == 1 else b"".join(self._body)
            self._body, self._body_size = [], 0
            self._out.extend(framing.body_frames(data))

    def flush(self):
        self._frame_body()
        if self._out:
            out, self._out = self._out, []
            self._connection.send_parts(out)

    def finish(self):
        """Ends the response: the head if nothing was sent yet, then RESPONSE_END."""
        if self.status is None:
            raise RuntimeError("WSGI application returned without calling start_response()")
        self._check_aborted()
        if not self.head_sent:
            self._queue_head()
        if self.content_length is not None and self.body_bytes < self.content_length:
            # The front end ends the response short and closes the connection; the
            # log says why, as it does for a surplus (issue #23 item 11).
            log("the application sent less than its Content-Length: %d bytes declared, "
                "%d sent" % (self.content_length, self.body_bytes))
        self._frame_body()
        self._out.append(END_FRAME if not self.surplus_bytes else self._error_frame(
            "the application sent more than its Content-Length: %d bytes declared, %d sent"
            % (self.content_length, self.content_length + self.surplus_bytes)))
        self._ending()
        self.flush()

    def fail(self, message, logged=False):
        """Ends the request with RESPONSE_ERROR; unsent queued output is dropped.
        ``logged``: the daemon has written it to the error log already (a traceback),
        so the front end does not write it again."""
        self._out, self._body, self._body_size = [], [], 0
        self._ending()
        self._connection.send(self._error_frame(message, logged))

    def _ending(self):
        on_end, self._on_end = self._on_end, None
        if on_end is not None:
            on_end()

    @staticmethod
    def _error_frame(message, logged=False):
        fields = {"message": message, "logged": True} if logged else {"message": message}
        payload = json.dumps(fields).encode("utf-8")
        return framing.encode_frame(framing.RESPONSE_ERROR, payload)


def _warn_second_call():
    if not _warned_second_call:
        _warned_second_call.append(True)
        log("start_response() was called a second time without exc_info; PEP 3333 "
            "makes that an error, but as under mod_wsgi the second call wins while no "
            "body has been sent (logged once per process)")


def _iterable(value):
    try:
        iter(value)
    except TypeError:
        return False
    return True
