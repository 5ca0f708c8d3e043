"""Drives one wsgi-express daemon process directly, without the Node.js front end, to
measure (and with --profile, cProfile) the Python side of a request on its own.

It plays the front end of docs/protocol.md: listens on a Unix socket, starts
python/daemon.py with the launch settings, takes the HELLOs, then sends N requests
over the worker connections (one client thread per daemon thread, each waiting for
RESPONSE_END before the next request) and reads the daemon's CPU time from /proc.

    python bench/profile/daemon_harness.py [--threads 4] [--requests 20000]
        [--body-size BYTES] [--profile OUT.prof] APP.wsgi

With --body-size each request is a POST carrying that many bytes in REQUEST_BODY
frames of up to 64 KiB, sent at once with the head (as the front end sends an upload that
has arrived): the app should read its body before answering (bench/apps/echo_upload.wsgi).
"""

import argparse
import json
import os
import pstats
import secrets
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
DAEMON = os.path.join(HERE, "..", "..", "python", "daemon.py")
HEADER = struct.Struct(">BI")
HELLO, RESPONSE_END, RESPONSE_ERROR = 0x01, 0x13, 0x14
REQUEST_HEAD, REQUEST_BODY, REQUEST_BODY_END, ENVIRON_BASE = 0x21, 0x22, 0x23, 0x25
# The front end forwards a body as it reads it from the client: 64 KiB at a time.
BODY_FRAME = 64 * 1024
sys.path.insert(0, os.path.join(HERE, "..", "..", "python"))
from _wsgi_express.messages import (  # noqa: E402
    encode_environ_base, encode_request_head)

# What src/exchange/environ.ts sends for `GET /` from wrk: the listener's base once per
# connection, then each request's own CGI keys and HTTP_* headers.
BASE = {
    "SERVER_SOFTWARE": "wsgi-express", "REQUEST_SCHEME": "http", "DOCUMENT_ROOT": "/tmp",
    "CONTEXT_DOCUMENT_ROOT": "/tmp", "CONTEXT_PREFIX": "", "wsgi.url_scheme": "http",
    "mod_wsgi.listener_port": "8000",
}
ENVIRON = {
    "HTTP_HOST": "127.0.0.1:8000", "REQUEST_METHOD": "GET", "REQUEST_URI": "/",
    "SCRIPT_NAME": "", "PATH_INFO": "/", "QUERY_STRING": "",
    "SERVER_PROTOCOL": "HTTP/1.1", "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000",
    "SERVER_ADDR": "127.0.0.1", "REMOTE_ADDR": "127.0.0.1", "REMOTE_PORT": "40000",
    "mod_wsgi.script_name": "", "mod_wsgi.path_info": "/",
    "mod_wsgi.request_id": "1", "mod_wsgi.connection_id": "1",
}


def recv_exact(sock, size):
    data = bytearray()
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            raise ConnectionError("daemon closed the connection")
        data += chunk
    return bytes(data)


def read_frame(sock):
    frame_type, length = HEADER.unpack(recv_exact(sock, HEADER.size))
    return frame_type, recv_exact(sock, length) if length else b""


def frame(frame_type, payload=b""):
    return HEADER.pack(frame_type, len(payload)) + payload


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def body_frames(size):
    """The REQUEST_BODY frames of a ``size``-byte upload, joined. As from the front end,
    the first is short: the client's first read also carried the request head, so the
    frames do not line up with an app's 64 KiB reads."""
    frames, left, piece = [], size, BODY_FRAME - 1024
    while left > 0:
        frames.append(frame(REQUEST_BODY, b"u" * min(left, piece)))
        left -= piece
        piece = BODY_FRAME
    return b"".join(frames)


def client(sock, count, errors, body_size=0):
    environ = dict(ENVIRON)
    if body_size:
        environ.update(REQUEST_METHOD="POST", CONTENT_LENGTH=str(body_size))
    body = body_frames(body_size)
    sock.sendall(frame(ENVIRON_BASE, encode_environ_base(1, BASE)))
    for n in range(count):
        head = encode_request_head("%d-%d" % (sock.fileno(), n), 1, environ,
                                   time.time(), time.time())
        sock.sendall(frame(REQUEST_HEAD, head) + body + frame(REQUEST_BODY_END))
        while True:
            frame_type, _ = read_frame(sock)
            if frame_type == RESPONSE_ERROR:
                errors.append(n)
            if frame_type in (RESPONSE_END, RESPONSE_ERROR):
                break


def start_daemon(args, workdir, listener_path, token):
    launch = {"socket": listener_path, "token": token, "threads": args.threads,
              "processes": 1, "entryPoint": os.path.abspath(args.app),
              "workingDirectory": os.path.dirname(os.path.abspath(args.app))}
    env = dict(os.environ, WSGI_EXPRESS_DAEMON=json.dumps(launch))
    command = [sys.executable, DAEMON]
    if args.profile:
        command = [sys.executable, os.path.join(HERE, "profiled_daemon.py"),
                   os.path.abspath(args.profile), DAEMON]
    return subprocess.Popen(command, env=env, cwd=workdir)


def accept_all(listener, threads):
    """The worker connections, and the control one (closing it stops the daemon)."""
    workers, control = [], None
    while len(workers) < threads or control is None:
        sock, _ = listener.accept()
        _, payload = read_frame(sock)
        if json.loads(payload).get("role") == "worker":
            workers.append(sock)
        else:
            control = sock
    return workers, control


def run(args):
    workdir = tempfile.mkdtemp(prefix="wx-harness-")
    path = os.path.join(workdir, "daemon.sock")
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(16)
    daemon = start_daemon(args, workdir, path, secrets.token_hex(16))
    try:
        workers, _control = accept_all(listener, args.threads)
        for sock in workers:  # warm-up
            client(sock, 200, [], args.body_size)
        errors = []
        per_thread = args.requests // len(workers)
        before, started = cpu_seconds(daemon.pid), time.perf_counter()
        clients = [threading.Thread(target=client,
                                    args=(sock, per_thread, errors, args.body_size))
                   for sock in workers]
        for thread in clients:
            thread.start()
        for thread in clients:
            thread.join()
        wall, cpu = time.perf_counter() - started, cpu_seconds(daemon.pid) - before
        total = per_thread * len(workers)
        print("%d requests in %.2fs (%.0f req/s), %d errors; daemon CPU %.1f us/request"
              % (total, wall, total / wall, len(errors), cpu * 1e6 / total))
    finally:
        daemon.terminate()
        daemon.wait(30)
        listener.close()
    if args.profile:
        pstats.Stats(args.profile).sort_stats("tottime").print_stats(args.top)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("app")
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--requests", type=int, default=20000)
    parser.add_argument("--body-size", type=int, default=0,
                        help="POST this many body bytes with each request")
    parser.add_argument("--profile", help="write a merged cProfile of all threads here")
    parser.add_argument("--top", type=int, default=30)
    run(parser.parse_args())


if __name__ == "__main__":
    main()
