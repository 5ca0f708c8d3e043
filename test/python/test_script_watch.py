"""Script reloading: a request that finds the script's mtime changed reloads it first."""

import os
import tempfile
import threading
import unittest

from . import support  # noqa: F401  (puts python/ on sys.path)
from _wsgi_express.script_watch import ScriptWatch


class Watch(unittest.TestCase):
    def setUp(self):
        handle, self.path = tempfile.mkstemp(suffix=".wsgi")
        os.close(handle)
        self.addCleanup(os.unlink, self.path)
        self.loads = []
        self.watch = ScriptWatch(self.path, lambda: self.loads.append(1))

    def touch(self, seconds):
        stat = os.stat(self.path)
        os.utime(self.path, (stat.st_atime, stat.st_mtime + seconds))

    def test_unchanged_script_is_not_reloaded(self):
        for _ in range(3):
            self.watch.check()
        self.assertEqual(self.loads, [])

    def test_a_changed_mtime_reloads_once_either_way(self):
        self.touch(5)
        self.watch.check()
        self.watch.check()
        self.assertEqual(len(self.loads), 1)
        self.touch(-60)  # an older file (restored from a backup) counts too, as in mod_wsgi
        self.watch.check()
        self.assertEqual(len(self.loads), 2)

    def test_threads_that_see_the_change_together_reload_it_once(self):
        self.touch(5)
        threads = [threading.Thread(target=self.watch.check) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertEqual(len(self.loads), 1)

    def test_a_missing_script_keeps_what_is_loaded(self):
        os.rename(self.path, self.path + ".moved")
        self.addCleanup(os.rename, self.path + ".moved", self.path)
        self.watch.check()
        self.assertEqual(self.loads, [])


if __name__ == "__main__":
    unittest.main()
