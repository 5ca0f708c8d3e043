"""A real daemon process (python/daemon.py) against a fake front end listening on a
Unix socket: start-up order, HELLOs, a clean sys.path and environment, load errors,
and the SIGTERM drain."""

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import unittest

from .support import FIXTURES, PACKAGE_DIR, Reply, base_environ, head_frames
from _wsgi_express import framing
from _wsgi_express.connection import Connection

DAEMON = os.path.join(PACKAGE_DIR, "daemon.py")
TIMEOUT = 10

PROBE_APP = textwrap.dedent("""
    import json, os, sys, time
    import mod_wsgi

    @mod_wsgi.subscribe_shutdown
    def stopping(name, **event):
        print("STOPPING", event["shutdown_reason"])

    def application(environ, start_response):
        time.sleep(float(environ.get("QUERY_STRING") or 0))
        print("print() from the app goes to the log")
        body = json.dumps({
            "path": sys.path, "argv": sys.argv, "cwd": os.getcwd(), "name": __name__,
            "leaked_env": "WSGI_EXPRESS_DAEMON" in os.environ,
            "marker": os.environ.get("MOD_WSGI_EXPRESS"),
            "package_imported_by_app": "_wsgi_express" in sys.modules,
        }).encode()
        start_response("200 OK", [("Content-Type", "application/json")])
        return [body]
""")


class Daemon(unittest.TestCase):
    def setUp(self):
        self.directory = tempfile.TemporaryDirectory()
        self.addCleanup(self.directory.cleanup)
        self.root = self.directory.name
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(os.path.join(self.root, "daemon.sock"))
        self.listener.listen(16)
        self.listener.settimeout(TIMEOUT)
        self.addCleanup(self.listener.close)

    def start(self, entry_point, threads=2, **launch):
        settings = {"socket": os.path.join(self.root, "daemon.sock"), "token": "cafe",
                    "threads": threads, "entryPoint": entry_point,
                    "workingDirectory": self.root}
        settings.update(launch)
        environment = dict(os.environ, WSGI_EXPRESS_DAEMON=json.dumps(settings),
                           MOD_WSGI_EXPRESS="true")
        self.process = subprocess.Popen(
            [sys.executable, DAEMON], cwd=self.root, env=environment,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.addCleanup(self.kill)
        self.control, self.control_hello = self.accept()
        self.workers = [self.accept() for _ in range(threads)]
        return self.control_hello

    def kill(self):
        if self.process.poll() is None:
            self.process.kill()
        self.process.communicate(timeout=TIMEOUT)

    def accept(self):
        sock, _ = self.listener.accept()
        sock.settimeout(TIMEOUT)
        self.addCleanup(sock.close)
        connection = Connection(sock)
        frame_type, payload = connection.read_frame()
        self.assertEqual(frame_type, framing.HELLO)
        return connection, json.loads(payload)

    def request(self, connection, query="", request_id="1"):
        connection.send(head_frames(request_id, base_environ(QUERY_STRING=query),
                                    start=1.0, queue_start=1.0))
        connection.send(framing.encode_frame(framing.REQUEST_BODY_END))

    def reply(self, connection):
        frames = []
        while not frames or frames[-1][0] not in (framing.RESPONSE_END,
                                                  framing.RESPONSE_ERROR):
            frames.append(connection.read_frame())
        return Reply(frames)

    def probe_app(self):
        path = os.path.join(self.root, "probe.wsgi")
        with open(path, "w") as handle:
            handle.write(PROBE_APP)
        return path

    def test_hellos_and_a_clean_interpreter(self):
        extra = os.path.join(self.root, "extra")
        listed = os.path.join(self.root, "listed-in-pth")
        os.makedirs(extra)
        os.makedirs(listed)
        with open(os.path.join(extra, "more.pth"), "w") as handle:
            handle.write(listed + "\n")
        hello = self.start(self.probe_app(), pythonPaths=[extra])
        self.assertEqual(hello["role"], "control")
        self.assertEqual((hello["protocol"], hello["token"]), (2, "cafe"))
        self.assertEqual(hello["pid"], self.process.pid)
        self.assertEqual(hello["app"], {"loaded": True, "error": None})
        self.assertEqual(hello["python"]["executable"], sys.executable)
        self.assertEqual([(h["role"], h["thread"]) for _, h in self.workers],
                         [("worker", 0), ("worker", 1)])
        self.request(self.workers[1][0])
        reply = self.reply(self.workers[1][0])
        seen = json.loads(reply.body)
        self.assertEqual(seen["path"][0], self.root)
        self.assertNotIn(PACKAGE_DIR, seen["path"])
        self.assertIn(extra, seen["path"])
        self.assertIn(listed, seen["path"])  # the .pth file was processed
        self.assertFalse(seen["leaked_env"])
        self.assertEqual(seen["marker"], "true")
        self.assertEqual(seen["argv"], ["mod_wsgi"])
        self.assertEqual(os.path.realpath(seen["cwd"]), os.path.realpath(self.root))
        self.assertTrue(seen["name"].startswith("_mod_wsgi_"))
        self.process.send_signal(signal.SIGTERM)
        out, err = self.process.communicate(timeout=TIMEOUT)
        self.assertEqual(self.process.returncode, 0, err)
        self.assertIn("print() from the app goes to the log", out)
        self.assertIn("STOPPING shutdown_signal", out)

    def test_sigterm_lets_the_request_in_flight_finish(self):
        self.start(self.probe_app())
        worker = self.workers[0][0]
        self.request(worker, query="0.5")
        self.process.send_signal(signal.SIGTERM)
        reply = self.reply(worker)
        self.assertEqual(reply.status, "200 OK")
        self.process.communicate(timeout=TIMEOUT)
        self.assertEqual(self.process.returncode, 0)

    def test_import_error_is_reported_and_answered(self):
        hello = self.start(os.path.join(FIXTURES, "import_error.wsgi"), threads=1)
        self.assertFalse(hello["app"]["loaded"])
        self.assertIn("ImportError: import_error.wsgi cannot be imported", hello["app"]["error"])
        worker = self.workers[0][0]
        for request_id in ("1", "2"):
            self.request(worker, request_id=request_id)
            reply = self.reply(worker)
            self.assertEqual(reply.types, [framing.RESPONSE_ERROR])
        self.process.send_signal(signal.SIGTERM)
        _, err = self.process.communicate(timeout=TIMEOUT)
        self.assertIn("Traceback (most recent call last)", err)
        self.assertIn("import_error.wsgi", err)

    def test_abort_on_the_control_connection(self):
        self.start(os.path.join(FIXTURES, "generator_close.wsgi"), threads=1)
        worker = self.workers[0][0]
        self.request(worker, query="chunks=100000&delay=0.001&id=x", request_id="r7")
        self.assertEqual(worker.read_frame()[0], framing.RESPONSE_HEAD)
        self.control.send(framing.encode_frame(framing.ABORT, b'{"id": "r7"}'))
        reply = self.reply(worker)
        self.assertEqual(reply.types[-1], framing.RESPONSE_ERROR)
        self.process.send_signal(signal.SIGTERM)
        _, err = self.process.communicate(timeout=TIMEOUT)
        self.assertEqual(err.count("CLOSED x"), 1)

    def test_exits_when_the_front_end_goes_away(self):
        self.start(None, threads=1)
        self.control.close()
        self.process.communicate(timeout=TIMEOUT)
        self.assertEqual(self.process.returncode, 0)

    def test_missing_launch_settings(self):
        environment = {key: value for key, value in os.environ.items()
                       if key != "WSGI_EXPRESS_DAEMON"}
        result = subprocess.run([sys.executable, DAEMON], env=environment,
                                capture_output=True, text=True, timeout=TIMEOUT)
        self.assertEqual(result.returncode, 2)
        self.assertIn("WSGI_EXPRESS_DAEMON is not set", result.stderr)


if __name__ == "__main__":
    unittest.main()
