"""Loading the application as mod_wsgi does (reference §6.5)."""

import hashlib
import os
import sys
import tempfile
import unittest

from .support import FIXTURES, make_config
from _wsgi_express import default_app
from _wsgi_express.loader import LoadError, load_application, load_script, script_module_name


class Scripts(unittest.TestCase):
    def test_module_is_named_after_the_md5_of_the_path(self):
        path = os.path.join(FIXTURES, "hello.wsgi")
        module = load_script(path)
        expected = "_mod_wsgi_" + hashlib.md5(path.encode()).hexdigest()
        self.assertEqual(module.__name__, expected)
        self.assertIs(sys.modules[expected], module)
        self.assertEqual(module.__file__, path)
        self.assertEqual(module.__mtime__, os.stat(path).st_mtime)

    def test_relative_path_is_made_absolute(self):
        saved = os.getcwd()
        os.chdir(FIXTURES)
        try:
            module = load_script("hello.wsgi")
        finally:
            os.chdir(saved)
        self.assertEqual(module.__file__, os.path.join(FIXTURES, "hello.wsgi"))

    def test_script_application(self):
        config = make_config(entryPoint=os.path.join(FIXTURES, "hello.wsgi"))
        self.assertTrue(callable(load_application(config)))

    def test_import_error_gives_a_readable_traceback(self):
        path = os.path.join(FIXTURES, "import_error.wsgi")
        with self.assertRaises(LoadError) as caught:
            load_application(make_config(entryPoint=path))
        text = str(caught.exception)
        self.assertIn("Failed to exec Python script file %r." % path, text)
        self.assertIn("Traceback (most recent call last):", text)
        self.assertIn('File "%s", line 3' % path, text)
        self.assertIn("ImportError: import_error.wsgi cannot be imported", text)
        self.assertNotIn("loader.py", text)
        # A failed script leaves no half-initialised module behind.
        self.assertNotIn(script_module_name(path), sys.modules)

    def test_syntax_error_and_system_exit_are_load_errors(self):
        for source, wording in ((b"def broken(:\n", "SyntaxError"),
                                (b"raise SystemExit(3)\n", "SystemExit: 3")):
            with self.subTest(wording):
                with tempfile.NamedTemporaryFile(suffix=".wsgi", delete=False) as handle:
                    handle.write(source)
                self.addCleanup(os.unlink, handle.name)
                with self.assertRaises(LoadError) as caught:
                    load_script(handle.name)
                self.assertIn(wording, str(caught.exception))

    def test_missing_callable_is_named(self):
        config = make_config(entryPoint=os.path.join(FIXTURES, "hello.wsgi"),
                             callableObject="app")
        with self.assertRaises(LoadError) as caught:
            load_application(config)
        self.assertIn("does not contain WSGI application 'app'", str(caught.exception))

    def test_callable_object_setting_is_used(self):
        with tempfile.NamedTemporaryFile("w", suffix=".wsgi", delete=False) as handle:
            handle.write("def handler(environ, start_response):\n    return []\n")
        self.addCleanup(os.unlink, handle.name)
        config = make_config(entryPoint=handle.name, callableObject="handler")
        self.assertEqual(load_application(config).__name__, "handler")


class Modules(unittest.TestCase):
    def setUp(self):
        sys.path.insert(0, FIXTURES)
        self.addCleanup(sys.path.remove, FIXTURES)

    def test_module_application(self):
        config = make_config(applicationType="module", entryPoint="module_app.wsgi")
        application = load_application(config)
        self.assertIs(application, sys.modules["module_app.wsgi"].application)

    def test_missing_module(self):
        config = make_config(applicationType="module", entryPoint="no_such_module_here")
        with self.assertRaises(LoadError) as caught:
            load_application(config)
        text = str(caught.exception)
        self.assertIn("Failed to import module 'no_such_module_here'.", text)
        self.assertIn("ModuleNotFoundError", text)


class DefaultPage(unittest.TestCase):
    def test_null_entry_point_serves_the_default_page(self):
        from wsgiref.validate import validator
        from .support import FakeFrontEnd
        application = load_application(make_config(entryPoint=None))
        self.assertIs(application, default_app.application)
        front = FakeFrontEnd(validator(application))
        self.addCleanup(front.close)
        reply = front.request()
        self.assertEqual(reply.status, "200 OK")
        self.assertIn(b"My web site runs on Malt Whiskey", reply.body)
        self.assertIn(b'href="/__wsgi__/docs/"', reply.body)
        self.assertEqual(reply.header("Content-Length"), str(len(reply.body)))

    def test_static_has_no_application_only_a_not_found_answer(self):
        from wsgiref.validate import validator
        from .support import FakeFrontEnd
        application = load_application(make_config(applicationType="static", entryPoint=None))
        front = FakeFrontEnd(validator(application))
        self.addCleanup(front.close)
        self.assertEqual(front.request().status, "404 Not Found")


class PasteDeploy(unittest.TestCase):
    def test_without_paste_deploy_the_error_names_the_package(self):
        import builtins
        real_import = builtins.__import__

        def no_paste(name, *args, **kwargs):
            if name.startswith("paste"):
                raise ImportError("No module named 'paste'")
            return real_import(name, *args, **kwargs)

        builtins.__import__ = no_paste
        self.addCleanup(setattr, builtins, "__import__", real_import)
        with self.assertRaises(LoadError) as caught:
            load_application(make_config(applicationType="paste", entryPoint="/x/app.ini"))
        self.assertIn("pip install PasteDeploy", str(caught.exception))


if __name__ == "__main__":
    unittest.main()
