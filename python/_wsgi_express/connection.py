"""A worker's persistent connection to the front end: buffered frame reads and
whole-buffer writes."""

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

# The pid the front end spawned: our own, or gdb's under --enable-gdb (main.py).
front_end_pid = os.getpid


class ConnectionClosed(OSError):
    """The front end closed the connection (or it broke). An OSError, as mod_wsgi's
    failed writes are, so applications that handle those handle this too."""


class Connection:
    def __init__(self, sock):
        self.sock = sock
        self._reader = FrameReader(sock)

    @classmethod
    def open(cls, path):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
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
        try:
            self.sock.sendall(data)
        except OSError as error:
            raise ConnectionClosed(str(error))

    def send_parts(self, parts):
        """Sends a list of bytes-like pieces: joined into one write when they are small,
        else in one sendmsg (a writev), so a response head and a large body frame leave
        in one system call and wake the front end once, not once per piece."""
        total = 0
        for part in parts:
            total += len(part)
        if total <= JOIN_LIMIT or len(parts) == 1:
            self.send(b"".join(parts) if len(parts) > 1 else parts[0])
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

    def __init__(self, sock):
        super().__init__(sock)
        self._send_lock = threading.Lock()

    def send(self, data):
        with self._send_lock:
            super().send(data)
