"""--switch-interval, --free-threading and --orphan-interpreter in the daemon
(interpreter.py). No free-threaded Python is at hand, so its answers are patched in."""

import sys
import unittest
from unittest import mock

from . import support  # noqa: F401  (puts python/ on sys.path)
from _wsgi_express import interpreter


class InterpreterTest(unittest.TestCase):
    def setUp(self):
        self.lines = []
        before = sys.getswitchinterval()
        self.addCleanup(sys.setswitchinterval, before)

    def test_switch_interval_is_set_and_logged(self):
        interpreter.apply_switch_interval(0.25, self.lines.append)
        self.assertEqual(sys.getswitchinterval(), 0.25)
        self.assertEqual(self.lines, ["Python switch interval set to 0.25 seconds"])

    def test_no_switch_interval_leaves_python_alone(self):
        before = sys.getswitchinterval()
        interpreter.apply_switch_interval(None, self.lines.append)
        self.assertEqual((sys.getswitchinterval(), self.lines), (before, []))

    def test_switch_interval_is_skipped_without_a_gil(self):
        before = sys.getswitchinterval()
        with mock.patch.object(interpreter, "gil_enabled", return_value=False):
            interpreter.apply_switch_interval(0.25, self.lines.append)
        self.assertEqual(sys.getswitchinterval(), before)
        self.assertIn("ignored", self.lines[0])

    def test_the_gil_is_described_only_on_a_free_threaded_build(self):
        with mock.patch.object(interpreter, "free_threaded_build", return_value=False):
            self.assertEqual(interpreter.describe_gil(), "")
        with mock.patch.object(interpreter, "free_threaded_build", return_value=True), \
                mock.patch.object(interpreter, "gil_enabled", return_value=False):
            self.assertEqual(interpreter.describe_gil(), " (free-threaded, GIL disabled)")
        with mock.patch.object(interpreter, "free_threaded_build", return_value=True), \
                mock.patch.object(interpreter, "gil_enabled", return_value=True):
            self.assertEqual(interpreter.describe_gil(), " (free-threaded, GIL enabled)")

    def test_this_python_has_the_gil(self):
        self.assertFalse(interpreter.free_threaded_build())
        self.assertTrue(interpreter.gil_enabled())

    def test_free_threading_is_reported_as_it_is(self):
        interpreter.report_free_threading(False, self.lines.append)
        self.assertEqual(self.lines, [])
        with mock.patch.object(interpreter, "gil_enabled", return_value=False):
            interpreter.report_free_threading(True, self.lines.append)
        interpreter.report_free_threading(True, self.lines.append)
        self.assertIn("the GIL is disabled", self.lines[0])
        self.assertIn("the GIL is enabled in this process after all", self.lines[1])

    def test_leave_returns_or_exits_at_once(self):
        self.assertEqual(interpreter.leave(0, False), 0)
        with mock.patch.object(interpreter.os, "_exit") as exit_now:
            interpreter.leave(3, True)
        exit_now.assert_called_once_with(3)


if __name__ == "__main__":
    unittest.main()
