"""A worker's persistent connection to the front end: buffered frame reads and
whole-buffer writes."""

import errno
import json
import os
import socket
import threading

from . import framing
from .framing import FrameReader, encode_frame

PROTOCOL_VERSION = 2
# Below this, pieces are joined into one buffer for a single sendall(); above it the
# copy would cost more than the extra system call.
JOIN_LIMIT = 256 * 1024
# Pieces per sendmsg(), well under every system's IOV_MAX (1024 on Linux).
IOV_BATCH = 512
# sendfile() cannot read this file or write to this socket here (a file system without
# it, a platform where it needs a TCP socket): the bytes are read and sent instead.
NO_SENDFILE = frozenset(code for code in (
    getattr(errno, name, None) for name in
    ("EINVAL", "ENOSYS", "ENOTSOCK", "EOPNOTSUPP", "ENOTSUP")) if code is not None)
# The socket broke, not the file.
SOCKET_GONE = frozenset((errno.EPIPE, errno.ECONNRESET, errno.ENOTCONN, errno.ESHUTDOWN))

# The pid the front end spawned: our own, or gdb's under --enable-gdb (main.py).
front_end_pid = os.getpid


class IncompleteFile(Exception):
    """A file sent with send_file() could not be read in full (it shrank, or a read
    failed) after its frame announced the bytes: the frame cannot be completed, so the
    connection must close, and the client sees an incomplete response."""


class ConnectionClosed(OSError):
    """The front end closed the connection (or it broke). An OSError, as mod_wsgi's
    failed writes are, so applications that handle those handle this too."""


class Connection:
    def __init__(self, sock, reader=None):
        self.sock = sock
        # An embedded slot brings its own (slot_reader.py); a socket gets a FrameReader.
        self._reader = reader if reader is not None else FrameReader(sock)
        # True while a frame goes out in more than one system call. Still true at the
        # next write means an exception (a RequestTimeout raised in the thread lands
        # between any two bytecodes) left that frame short: whatever followed would be
        # read by the front end as the rest of it.
        self._mid_frame = False

    @classmethod
    def open(cls, path, send_buffer=0, receive_buffer=0):
        """Connects to the front end; a buffer size of 0 keeps the system's default (the
        kernel caps others at net.core.wmem_max and rmem_max)."""
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            if send_buffer:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, send_buffer)
            if receive_buffer:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
            sock.connect(path)
        except OSError:
            sock.close()
            raise
        return cls(sock)

    def hello(self, token, role, thread, **extra):
        message = {"protocol": PROTOCOL_VERSION, "token": token, "pid": front_end_pid(),
                   "role": role, "thread": thread}
        message.update(extra)
        self.send(encode_frame(framing.HELLO, json.dumps(message).encode("utf-8")))

    def read_frame(self):
        """The next ``(type, payload)``; ConnectionClosed at the end of the stream."""
        try:
            frame = self._reader.read_frame()
        except OSError as error:
            raise ConnectionClosed(str(error))
        if frame is None:
            raise ConnectionClosed("connection closed by the front end")
        return frame

    def send(self, data):
        # One sendall() is whole or fails: CPython raises a thread's pending exception
        # only between bytecodes, never inside it.
        self._check_frame_boundary()
        self._sendall(data)

    def send_parts(self, parts):
        """Sends a list of bytes-like pieces: joined into one write when they are small,
        else in one sendmsg (a writev), so a response head and a large body frame leave
        in one system call and wake the front end once, not once per piece."""
        self._check_frame_boundary()
        self._mid_frame = True
        self._write_parts(parts)
        self._mid_frame = False

    def send_file(self, parts, fd, offset, count, use_sendfile=True):
        """Sends ``parts``, which end with the header of a frame announcing ``count``
        bytes, then those bytes of the file ``fd`` from ``offset``, leaving the file's
        own offset alone. os.sendfile() moves them from the page cache into the socket
        without a copy through Python; where it cannot, pread() and send() do. Returns
        whether sendfile() is still worth trying for this file."""
        self._check_frame_boundary()
        self._mid_frame = True
        self._write_parts(parts)
        use_sendfile = self._send_file_bytes(fd, offset, count, use_sendfile)
        self._mid_frame = False
        return use_sendfile

    def _check_frame_boundary(self):
        if self._mid_frame:
            raise ConnectionClosed("an exception interrupted a frame on its way out, so "
                                   "nothing more can follow it on this connection")

    def _sendall(self, data):
        try:
            self.sock.sendall(data)
        except OSError as error:
            raise ConnectionClosed(str(error))

    def _write_parts(self, parts):
        total = 0
        for part in parts:
            total += len(part)
        if total <= JOIN_LIMIT or len(parts) == 1:
            self._sendall(b"".join(parts) if len(parts) > 1 else parts[0])
            return
        views = [memoryview(part) for part in parts]
        try:
            while views:
                sent = self.sock.sendmsg(views[:IOV_BATCH])
                # A blocking send returns short only when interrupted or timed out.
                done = 0
                while done < len(views) and sent >= len(views[done]):
                    sent -= len(views[done])
                    done += 1
                del views[:done]
                if sent:
                    views[0] = views[0][sent:]
        except OSError as error:
            raise ConnectionClosed(str(error))

    def _send_file_bytes(self, fd, offset, count, use_sendfile):
        use_sendfile = use_sendfile and hasattr(os, "sendfile")
        while count > 0:
            sent = None
            if use_sendfile:
                try:
                    sent = os.sendfile(self.sock.fileno(), fd, offset, count)
                except OSError as error:
                    if error.errno in SOCKET_GONE:
                        raise ConnectionClosed(str(error))
                    if error.errno not in NO_SENDFILE:
                        raise IncompleteFile("sendfile() failed: %s" % error)
                    use_sendfile = False
            if sent is None:
                try:
                    data = os.pread(fd, min(count, framing.MAX_BODY_FRAME), offset)
                except OSError as error:
                    raise IncompleteFile("reading the file failed: %s" % error)
                self._sendall(data)
                sent = len(data)
            if sent == 0:
                raise IncompleteFile("the file ended %d bytes short of its frame" % count)
            offset += sent
            count -= sent
        return use_sendfile

    def shutdown_read(self):
        """Wakes a thread blocked in recv() on this connection (used at shutdown)."""
        try:
            self.sock.shutdown(socket.SHUT_RD)
        except OSError:
            pass

    def close(self):
        self.sock.close()


class SharedConnection(Connection):
    """A connection more than one thread writes to (the control connection: the
    monitor's heartbeats and the control thread's RECALLED answers): one frame at a time."""

    def __init__(self, sock, reader=None):
        super().__init__(sock, reader)
        self._send_lock = threading.Lock()

    def send(self, data):
        with self._send_lock:
            super().send(data)
