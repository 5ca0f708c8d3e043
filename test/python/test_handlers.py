"""--add-handler scripts in the daemon: which callable, and mod_wsgi's reload rules."""

import io
import os
import sys
import tempfile
import unittest
from contextlib import redirect_stderr

from . import support  # noqa: F401  (puts the runtime on sys.path)
from _wsgi_express.handlers import HandlerScripts
from _wsgi_express.loader import LoadError


class HandlerScriptsTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp()

    def script(self, name, text):
        path = os.path.join(self.dir, name)
        with open(path, "w") as handle:
            handle.write(text)
        return path

    def test_handle_request_wins_over_application(self):
        both = self.script("both.py", "def handle_request(e, s): return 'h'\n"
                                      "def application(e, s): return 'a'\n")
        only = self.script("only.py", "def application(e, s): return 'a'\n")
        handlers = HandlerScripts([both, only], reloading=True)
        self.assertEqual(handlers.callable_for(both, "/r")(None, None), "h")
        self.assertEqual(handlers.callable_for(only, "/r")(None, None), "a")

    def test_refused_scripts_and_scripts_without_a_callable(self):
        empty = self.script("empty.py", "X = 1\n")
        handlers = HandlerScripts([empty], reloading=True)
        with self.assertRaises(LoadError) as caught:
            handlers.callable_for(empty, "/r")
        self.assertIn("neither handle_request nor application", str(caught.exception))
        with self.assertRaises(LoadError) as caught:
            handlers.callable_for("/etc/passwd", "/r")
        self.assertIn("not an --add-handler script", str(caught.exception))

    def test_reloaded_when_reload_required_or_the_mtime_changes(self):
        path = self.script("counted.py", "import sys\n"
                                         "sys.handler_loads = getattr(sys, 'handler_loads', 0) + 1\n"
                                         "def reload_required(resource): return resource == '/again'\n"
                                         "def handle_request(e, s): return sys.handler_loads\n")
        self.addCleanup(lambda: delattr(sys, "handler_loads"))
        handlers = HandlerScripts([path], reloading=True)
        self.assertEqual(handlers.callable_for(path, "/r")(None, None), 1)
        self.assertEqual(handlers.callable_for(path, "/r")(None, None), 1)
        self.assertEqual(handlers.callable_for(path, "/again")(None, None), 2)
        stat = os.stat(path)
        os.utime(path, (stat.st_atime, stat.st_mtime + 10))
        self.assertEqual(handlers.callable_for(path, "/r")(None, None), 3)
        # With reloading off (--disable-reloading), neither rule applies.
        frozen = HandlerScripts([path], reloading=False)
        self.assertEqual(frozen.callable_for(path, "/again")(None, None), 4)
        self.assertEqual(frozen.callable_for(path, "/again")(None, None), 4)

    def test_a_raising_reload_required_is_logged_and_keeps_the_script(self):
        path = self.script("raising.py", "import sys\n"
                                         "sys.raising_loads = getattr(sys, 'raising_loads', 0) + 1\n"
                                         "def reload_required(resource): raise ValueError('oops')\n"
                                         "def handle_request(e, s): return sys.raising_loads\n")
        self.addCleanup(lambda: delattr(sys, "raising_loads"))
        handlers = HandlerScripts([path], reloading=True)
        handlers.callable_for(path, "/r")
        errors = io.StringIO()
        with redirect_stderr(errors):
            self.assertEqual(handlers.callable_for(path, "/r")(None, None), 1)
        self.assertIn("ValueError: oops", errors.getvalue())
        self.assertIn("the loaded script stays", errors.getvalue())

    def test_a_script_that_is_gone_is_loaded_again_and_fails(self):
        path = self.script("gone.py", "def application(e, s): return 'a'\n")
        handlers = HandlerScripts([path], reloading=True)
        handlers.callable_for(path, "/r")
        os.remove(path)
        with self.assertRaises(LoadError):
            handlers.callable_for(path, "/r")


if __name__ == "__main__":
    unittest.main()
