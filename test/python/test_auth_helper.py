"""The auth helper's verdicts (mod_wsgi's wsgi_auth.c, case by case), its script
loading and reloading, and its line protocol over a pipe."""

import contextlib
import io
import json
import os
import tempfile
import threading
import unittest

from . import support  # noqa: F401  (puts python/ on sys.path)
from _wsgi_express import auth_helper
from _wsgi_express.auth_helper import Replies, Scripts, check, serve

ENVIRON = {"REQUEST_URI": "/", "REMOTE_ADDR": "127.0.0.1"}


class Verdicts(unittest.TestCase):
    def setUp(self):
        handle, self.path = tempfile.mkstemp(suffix=".py")
        os.close(handle)
        self.addCleanup(os.unlink, self.path)
        self.scripts = Scripts()
        self.writes = 0
        self.stderr = io.StringIO()

    def write(self, source):
        # Each version a second apart, whatever the file system's timestamp resolution.
        self.writes += 1
        with open(self.path, "w") as handle:
            handle.write(source)
        stat = os.stat(self.path)
        os.utime(self.path, (stat.st_atime, stat.st_mtime + self.writes))

    def run_check(self, hook, *args):
        with contextlib.redirect_stderr(self.stderr):
            return check(self.scripts, {"hook": hook, "script": self.path,
                                        "environ": dict(ENVIRON), "args": list(args)})

    def returning(self, function, value, hook, *args):
        self.write("def %s(environ, *args):\n    return %s\n" % (function, value))
        return self.run_check(hook, *args)

    def test_access_true_false_none_and_anything_else(self):
        cases = {"True": "allow", "False": "deny", "None": "none", "1": "deny", "'yes'": "deny"}
        for value, verdict in cases.items():
            self.assertEqual(self.returning("allow_access", value, "access", "1.2.3.4"),
                             (verdict, None), value)

    def test_check_password_verdicts_and_the_replacement_name(self):
        cases = {"True": ("granted", None), "False": ("denied", None),
                 "None": ("unknown", None), "'robert'": ("granted", "robert"),
                 "1": ("error", None), "b'bytes'": ("error", None)}
        for value, verdict in cases.items():
            self.assertEqual(self.returning("check_password", value, "check_password",
                                            "bob", "pw"), verdict, value)

    def test_realm_hash_as_str_or_bytes_latin1_only(self):
        cases = {"'abc'": ("found", "abc"), "b'abc'": ("found", "abc"),
                 "None": ("unknown", None), "'\\u20ac'": ("error", None),
                 "42": ("error", None)}
        for value, verdict in cases.items():
            self.assertEqual(self.returning("get_realm_hash", value, "get_realm_hash",
                                            "u", "r"), verdict, value)

    def test_groups_as_str_or_bytes(self):
        cases = {"['a', b'b']": ("groups", ["a", "b"]), "[]": ("groups", []),
                 "('x',)": ("groups", ["x"]), "[1]": ("error", None),
                 "['\\u20ac']": ("error", None), "42": ("error", None)}
        for value, verdict in cases.items():
            self.assertEqual(self.returning("groups_for_user", value, "groups", "u"),
                             verdict, value)

    def test_the_script_gets_the_environ_its_arguments_and_a_wsgi_errors(self):
        self.write("def check_password(environ, user, password):\n"
                   "    environ['wsgi.errors'].write('seen ' + user)\n"
                   "    return '%s|%s|%s|%s' % (user, password, environ['REQUEST_URI'],\n"
                   "                            environ['mod_wsgi.version'][0])\n")
        self.assertEqual(self.run_check("check_password", "u", "p"),
                         ("granted", "u|p|/|6"))

    def test_errors_missing_functions_and_load_failures_are_errors(self):
        self.write("def check_password(environ, user, password):\n    raise ValueError('x')\n")
        self.assertEqual(self.run_check("check_password", "u", "p"), ("error", None))
        self.assertEqual(self.run_check("get_realm_hash", "u", "r"), ("error", None))
        self.write("this is not python\n")
        self.assertEqual(self.run_check("check_password", "u", "p"), ("error", None))
        self.assertEqual(self.run_check("access", "h"), ("error", None))
        logged = self.stderr.getvalue()
        self.assertIn("ValueError: x", logged)
        self.assertIn("does not provide 'Digest' auth provider", logged)
        self.assertIn("Failed to exec Python script file", logged)

    def test_a_changed_script_is_loaded_again_and_an_unchanged_one_is_not(self):
        self.write("LOADS = []\nLOADS.append(1)\n"
                   "def check_password(environ, user, password):\n    return str(len(LOADS))\n")
        self.assertEqual(self.run_check("check_password", "u", "p"), ("granted", "1"))
        self.assertEqual(self.run_check("check_password", "u", "p"), ("granted", "1"))
        self.write("def check_password(environ, user, password):\n    return 'new'\n")
        self.assertEqual(self.run_check("check_password", "u", "p"), ("granted", "new"))
        # A file gone for a moment keeps the module that is loaded.
        os.rename(self.path, self.path + ".moved")
        self.addCleanup(os.rename, self.path + ".moved", self.path)
        self.assertEqual(self.run_check("check_password", "u", "p"), ("granted", "new"))


class Protocol(unittest.TestCase):
    def test_answers_come_back_by_id_and_a_slow_check_does_not_hold_the_others(self):
        handle, path = tempfile.mkstemp(suffix=".py")
        os.close(handle)
        self.addCleanup(os.unlink, path)
        release = threading.Event()
        with open(path, "w") as script:
            script.write("def check_password(environ, user, password):\n"
                         "    if user == 'slow':\n"
                         "        RELEASE.wait(10)\n"
                         "    return user\n")
        read_fd, write_fd = os.pipe()
        replies = Replies(write_fd)
        lines = [json.dumps({"id": n, "hook": "check_password", "script": path,
                             "environ": ENVIRON, "args": [user, "pw"]})
                 for n, user in ((1, "slow"), (2, "fast"), (3, "also-fast"))]
        # The event the slow check waits on, set on the module as it is loaded.
        original = auth_helper.load_script

        def load_with_release(script_path):
            module = original(script_path)
            module.RELEASE = release
            return module

        auth_helper.load_script = load_with_release
        self.addCleanup(setattr, auth_helper, "load_script", original)
        pool = serve(io.StringIO("\n".join(lines) + "\n\n"), replies, 4)
        reader = os.fdopen(read_fd, "r")
        first = [json.loads(reader.readline()) for _ in range(2)]
        self.assertEqual(sorted(reply["id"] for reply in first), [2, 3])
        release.set()
        self.assertEqual(json.loads(reader.readline()),
                         {"id": 1, "verdict": "granted", "value": "slow"})
        pool.shutdown(wait=True)
        os.close(write_fd)
        reader.close()

    def test_a_malformed_request_gets_an_error_answer(self):
        read_fd, write_fd = os.pipe()
        with contextlib.redirect_stderr(io.StringIO()):
            pool = serve(io.StringIO(json.dumps({"id": 9, "hook": "nope"}) + "\n"),
                         Replies(write_fd), 1)
            pool.shutdown(wait=True)
        os.close(write_fd)
        with os.fdopen(read_fd) as reader:
            self.assertEqual(json.loads(reader.readline()),
                             {"id": 9, "verdict": "error", "value": None})


if __name__ == "__main__":
    unittest.main()
