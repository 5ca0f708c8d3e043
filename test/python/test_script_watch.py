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

    def test_a_thread_that_sees_the_edit_during_the_reload_waits_for_it(self):
        # The fresh-clone CI once served the old code: a second thread saw the new
        # mtime already recorded while the first thread was still loading.
        loading, release = threading.Event(), threading.Event()

        def slow_load():
            loading.set()
            release.wait(30)
            self.loads.append(1)

        watch = ScriptWatch(self.path, slow_load)
        self.touch(5)
        first = threading.Thread(target=watch.check)
        first.start()
        self.assertTrue(loading.wait(30))
        returned = threading.Event()
        second = threading.Thread(target=lambda: (watch.check(), returned.set()))
        second.start()
        # Returning now would mean running the application before its reload ended.
        self.assertFalse(returned.wait(0.5))
        release.set()
        first.join(30)
        second.join(30)
        self.assertTrue(returned.is_set())
        self.assertEqual(self.loads, [1])


if __name__ == "__main__":
    unittest.main()
