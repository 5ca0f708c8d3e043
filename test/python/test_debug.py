"""The debug wrappers on their own: the recorder's seven files (with the write()
callable mod_wsgi's recorder broke) and the profiler's .pstats file."""

import io
import os
import pstats
import shutil
import tempfile
import unittest

from . import support  # noqa: F401  (puts python/ on sys.path)

from _wsgi_express.debug.profiler import Profiler, ProfilingMiddleware
from _wsgi_express.debug.recorder import SUFFIXES, RequestRecorder


def write_app(environ, start_response):
    write = start_response("200 OK", [("Content-Type", "text/plain")])
    write(b"written,")
    return [environ["wsgi.input"].read()]


def call(application, body=b""):
    environ = {"REQUEST_METHOD": "POST", "wsgi.input": io.BytesIO(body)}
    sent = []

    def start_response(status, headers, exc_info=None):
        return sent.append
    result = application(environ, start_response)
    try:
        sent.extend(result)
    finally:
        result.close()
    return b"".join(sent)


class RecorderTest(unittest.TestCase):
    def setUp(self):
        self.directory = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, self.directory)

    def test_seven_files_with_the_write_callable(self):
        self.assertEqual(call(RequestRecorder(write_app, self.directory), b"body"),
                         b"written,body")
        names = sorted(os.listdir(self.directory))
        self.assertEqual(sorted(name.split(".")[1] for name in names), sorted(SUFFIXES))
        key = names[0].split(".")[0]
        read = lambda suffix: open(os.path.join(self.directory, key + "." + suffix), "rb").read()
        self.assertEqual(read("icontent"), b"body")
        self.assertEqual(read("ocontent"), b"written,body")
        self.assertIn(b"'REQUEST_METHOD': 'POST'", read("iheaders"))
        self.assertEqual(read("oaexcept"), b"")

    def test_keys_count_requests(self):
        recorder = RequestRecorder(write_app, self.directory)
        call(recorder)
        call(recorder)
        keys = {name.split(".")[0] for name in os.listdir(self.directory)}
        self.assertEqual(sorted(key.rsplit("-", 1)[1] for key in keys), ["1", "2"])


class ProfilerTest(unittest.TestCase):
    def test_one_loadable_pstats_file(self):
        directory = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, directory)
        profiler = Profiler(directory)
        profiler.pause()
        call(ProfilingMiddleware(write_app, profiler))
        profiler.write()
        [name] = os.listdir(directory)
        self.assertRegex(name, r"^\d+-%d\.pstats$" % os.getpid())
        stats = pstats.Stats(os.path.join(directory, name))
        self.assertTrue(any(key[2] == "write_app" for key in stats.stats))


if __name__ == "__main__":
    unittest.main()
