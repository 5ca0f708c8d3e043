"""The environ an application receives (PEP 3333 + mod_wsgi keys, reference §6.8)."""

import json
import unittest

from .support import FakeFrontEnd, base_environ, fixture_app


class Environ(unittest.TestCase):
    def environ(self, environ=None, index=0, **config):
        front = FakeFrontEnd(fixture_app("environ.wsgi"), index=index, **config)
        self.addCleanup(front.close)
        reply = front.request(environ)
        self.assertEqual(reply.status, "200 OK", reply.error)
        return json.loads(reply.body)

    def test_wsgi_keys(self):
        environ = self.environ()
        self.assertEqual(environ["wsgi.version"], [1, 0])
        self.assertEqual(environ["wsgi.url_scheme"], "http")
        self.assertIs(environ["wsgi.input_terminated"], True)
        self.assertIs(environ["wsgi.multithread"], True)
        self.assertIs(environ["wsgi.multiprocess"], False)
        self.assertIs(environ["wsgi.run_once"], False)
        for key in ("wsgi.input", "wsgi.errors", "wsgi.file_wrapper"):
            self.assertIn(key, environ)

    def test_flags_follow_the_launch_settings(self):
        environ = self.environ(threads=1, maximumRequests=1, multiprocess=True)
        self.assertIs(environ["wsgi.multithread"], False)
        self.assertIs(environ["wsgi.multiprocess"], True)
        self.assertIs(environ["wsgi.run_once"], True)
        self.assertIs(self.environ(threads=1)["wsgi.run_once"], False)

    def test_cgi_values_and_scheme_are_passed_through(self):
        environ = self.environ(base_environ(PATH_INFO="/caf\u00e9", **{
            "wsgi.url_scheme": "https", "mod_wsgi.request_id": "abc"}))
        self.assertEqual(environ["PATH_INFO"], "/caf\u00e9")
        self.assertEqual(environ["wsgi.url_scheme"], "https")
        self.assertEqual(environ["mod_wsgi.request_id"], "abc")

    def test_mod_wsgi_runtime_keys(self):
        environ = self.environ(index=3)
        self.assertEqual(environ["mod_wsgi.thread_id"], 3)
        self.assertEqual(environ["mod_wsgi.version"], [6, 0, 0])
        # mod_wsgi's apache.version: the Apache whose behaviour is matched.
        self.assertEqual(list(environ["apache.version"]), [2, 4, 0])
        self.assertEqual(environ["mod_wsgi.request_start"], 1700000000.5)
        self.assertEqual(environ["mod_wsgi.queue_start"], 1700000000.25)
        self.assertIsInstance(environ["mod_wsgi.daemon_start"], float)
        self.assertGreaterEqual(environ["mod_wsgi.application_start"],
                                environ["mod_wsgi.daemon_start"])
        self.assertEqual(environ["mod_wsgi.process_group"], "localhost:8000")
        self.assertEqual(environ["mod_wsgi.application_group"], "")


class ErrorStream(unittest.TestCase):
    def test_lines_reach_stderr_whole(self):
        from .support import captured_stderr
        from _wsgi_express.errorlog import ErrorStream as Stream
        with captured_stderr() as log:
            stream = Stream()
            stream.write("par")
            self.assertEqual(log.getvalue(), "")
            stream.writelines(["tial\nnext", " line\n", "unfinished"])
            self.assertEqual(log.getvalue(), "partial\nnext line\n")
            stream.close()
        self.assertEqual(log.getvalue(), "partial\nnext line\nunfinished\n")
        with self.assertRaises(TypeError):
            stream.write(b"bytes")


if __name__ == "__main__":
    unittest.main()
