"""Helpers for the daemon runtime's tests: import paths, launch configs, fixture
apps, and a fake front end that drives a real Worker over socket.socketpair()."""

import contextlib
import io
import json
import os
import socket
import sys
import threading

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PACKAGE_DIR = os.path.join(ROOT, "python")
FIXTURES = os.path.join(ROOT, "test", "fixtures", "apps")
VECTORS = os.path.join(ROOT, "test", "vectors", "frames.json")
if PACKAGE_DIR not in sys.path:
    sys.path.insert(0, PACKAGE_DIR)

from _wsgi_express import framing  # noqa: E402
from _wsgi_express.connection import Connection  # noqa: E402
from _wsgi_express.launch import parse_launch  # noqa: E402
from _wsgi_express.loader import load_script  # noqa: E402
from _wsgi_express.messages import (  # noqa: E402
    encode_environ_base, encode_request_head)
from _wsgi_express.runtime import Runtime  # noqa: E402
from _wsgi_express.worker import Worker  # noqa: E402

TIMEOUT = 5.0


def make_config(**overrides):
    launch = {"socket": "/nonexistent/daemon.sock", "token": "ab12", "threads": 5,
              "processGroup": "localhost:8000", "workingDirectory": FIXTURES}
    launch.update(overrides)
    return parse_launch(json.dumps(launch))


def fixture_app(name):
    return load_script(os.path.join(FIXTURES, name)).application


def base_environ(**extra):
    environ = {
        "REQUEST_METHOD": "GET", "SCRIPT_NAME": "", "PATH_INFO": "/",
        "QUERY_STRING": "", "SERVER_NAME": "localhost", "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1",
        "wsgi.url_scheme": "http", "HTTP_HOST": "localhost:8000",
    }
    environ.update(extra)
    return environ


def decode_response_head(payload):
    """RESPONSE_HEAD as the front end reads it: status, then name/value pairs."""
    parts = payload.decode("latin-1").split("\0")
    return {"status": parts[0], "headers": list(zip(parts[1::2], parts[2::2]))}


def head_frames(request_id, environ, expect_continue=False, start=1700000000.5,
                queue_start=1700000000.25):
    """A request's head as the front end sends it on a fresh connection: its (empty)
    ENVIRON_BASE first, then a REQUEST_HEAD carrying every key."""
    return (framing.encode_frame(framing.ENVIRON_BASE, encode_environ_base(1, {}))
            + framing.encode_frame(framing.REQUEST_HEAD, encode_request_head(
                request_id, 1, environ, start, queue_start, expect_continue)))


class ChunkSocket:
    """A socket stand-in: ``recv_into`` hands out ``chunks`` as they were split (a chunk
    larger than the reader's buffer comes in parts), then reports the peer's close, or
    raises ``then`` (BlockingIOError: the reader asked for more than there is). An
    exception among the chunks is raised where it stands, once, as one raised in the
    reading thread between two reads would be."""

    def __init__(self, chunks, then=None):
        self._chunks = [chunk if isinstance(chunk, BaseException) else memoryview(chunk)
                        for chunk in chunks if isinstance(chunk, BaseException) or chunk]
        self._then = then

    def recv_into(self, view):
        if not self._chunks:
            if self._then is not None:
                raise self._then
            return 0
        chunk = self._chunks[0]
        if isinstance(chunk, BaseException):
            self._chunks.pop(0)
            raise chunk
        size = min(len(view), len(chunk))
        view[:size] = chunk[:size]
        if size == len(chunk):
            self._chunks.pop(0)
        else:
            self._chunks[0] = chunk[size:]
        return size


def read_frames(chunks, recv_size=framing.RECV_SIZE):
    """Every frame in ``chunks``, read as the runtime reads them (FrameReader)."""
    reader, frames = framing.FrameReader(ChunkSocket(chunks), recv_size), []
    frame = reader.read_frame()
    while frame is not None:
        frames.append(frame)
        frame = reader.read_frame()
    return frames


class Reply:
    """Everything the daemon sent for one request."""

    def __init__(self, frames):
        self.frames = frames
        self.types = [frame_type for frame_type, _ in frames]
        self.head = None
        self.error = None
        body = []
        for frame_type, payload in frames:
            if frame_type == framing.RESPONSE_HEAD:
                self.head = decode_response_head(payload)
            elif frame_type == framing.RESPONSE_BODY:
                body.append(payload)
            elif frame_type == framing.RESPONSE_ERROR:
                self.error = json.loads(payload)["message"]
        self.body = b"".join(body)

    @property
    def status(self):
        return self.head["status"] if self.head else None

    def header(self, name):
        for key, value in self.head["headers"]:
            if key.lower() == name.lower():
                return value
        return None


class FakeFrontEnd:
    """The front end's side of one worker connection, with the Worker on a thread."""

    def __init__(self, application, runtime=None, index=0, worker_socket=None, **config):
        self.runtime = runtime or Runtime(make_config(**config))
        self.runtime.application = application
        ours, theirs = socket.socketpair()
        ours.settimeout(TIMEOUT)
        self.sock = ours
        self.connection = Connection(ours)
        # worker_socket: wraps the worker's end, to interfere with what it reads.
        if worker_socket is not None:
            theirs = worker_socket(theirs)
        self.worker = Worker(index, Connection(theirs), self.runtime)
        self.runtime.workers.append(self.worker)
        self.worker.thread.start()
        self._next_id = 0

    def close(self):
        self.runtime.stopping = True
        self.sock.close()
        self.worker.thread.join(TIMEOUT)

    def send(self, frame_type, payload=b""):
        self.sock.sendall(framing.encode_frame(frame_type, payload))

    def send_head(self, environ=None, request_id=None, expect_continue=False):
        if request_id is None:
            self._next_id += 1
            request_id = str(self._next_id)
        self.sock.sendall(head_frames(request_id, environ or base_environ(), expect_continue))
        return request_id

    def send_body(self, data, end=True):
        for start in range(0, len(data), framing.MAX_BODY_FRAME):
            self.send(framing.REQUEST_BODY, data[start:start + framing.MAX_BODY_FRAME])
        if end:
            self.send(framing.REQUEST_BODY_END)

    def read_frame(self):
        return self.connection.read_frame()

    def read_reply(self):
        frames = []
        while True:
            frame = self.read_frame()
            frames.append(frame)
            if frame[0] in (framing.RESPONSE_END, framing.RESPONSE_ERROR):
                return Reply(frames)

    def request(self, environ=None, body=b"", **head):
        """One whole request as the front end sends it: head, body, end, then reply."""
        self.send_head(environ, **head)
        self.send_body(body)
        return self.read_reply()


@contextlib.contextmanager
def captured_stderr():
    """sys.stderr as a StringIO for the block (the runtime looks it up at each write)."""
    saved, sys.stderr = sys.stderr, io.StringIO()
    try:
        yield sys.stderr
    finally:
        sys.stderr = saved


def run_in_thread(target):
    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    return thread
