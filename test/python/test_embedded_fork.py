"""Embedded mode's guard on fork() (issue #25, hazards): os.fork() and os.forkpty()
raise a RuntimeError naming embedded mode and what to use instead. Here on stand-in
modules, so that this test process keeps its own fork; the real guard is exercised end
to end by test/e2e/embedded-processes.test.ts."""

import types
import unittest

from . import support  # noqa: F401 (puts the runtime on sys.path)
from _wsgi_express.embedded_fork import EmbeddedForkError, refuse_fork


class RefuseForkTest(unittest.TestCase):
    def test_fork_and_forkpty_raise_naming_embedded_mode(self):
        module = types.SimpleNamespace(fork=lambda: 0, forkpty=lambda: (0, 0))
        refuse_fork((module,))
        for name in ("fork", "forkpty"):
            with self.subTest(name=name):
                with self.assertRaises(EmbeddedForkError) as caught:
                    getattr(module, name)()
                self.assertIsInstance(caught.exception, RuntimeError)
                message = str(caught.exception)
                self.assertTrue(message.startswith("os.%s() is not available in embedded mode"
                                                   % name), message)
                self.assertIn("multiprocessing.get_context('spawn')", message)
                self.assertEqual(getattr(module, name).__name__, name)

    def test_a_module_without_forkpty_gets_no_forkpty(self):
        module = types.SimpleNamespace(fork=lambda: 0)
        refuse_fork((module,))
        self.assertFalse(hasattr(module, "forkpty"))
        self.assertRaises(EmbeddedForkError, module.fork)


if __name__ == "__main__":
    unittest.main()
