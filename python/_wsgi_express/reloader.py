"""--reload-on-changes: a thread that checks, every second, the source file of every
imported module; a change asks the front end for a graceful replacement. The log lines
are those of mod_wsgi-express's monitor."""

import os
import sys
import threading
import time

INTERVAL = 1.0


class Reloader:
    def __init__(self, request_recycle):
        self._request_recycle = request_recycle
        self._mtimes = {}
        self.thread = threading.Thread(target=self.run, name="wsgi-reloader", daemon=True)

    def run(self):
        prefix = "monitor (pid=%d):" % os.getpid()
        sys.stderr.write("%s Starting change monitor.\n" % prefix)
        while True:
            changed = self.scan()
            if changed is not None:
                sys.stderr.write('%s Change detected to "%s".\n' % (prefix, changed))
                sys.stderr.write("%s Triggering process restart.\n" % prefix)
                self._request_recycle("reload_on_changes")
                return
            time.sleep(INTERVAL)

    def scan(self):
        """The first watched file whose mtime changed since the last scan, or None."""
        for path in _module_files():
            try:
                mtime = os.stat(path).st_mtime
            except OSError:
                continue
            known = self._mtimes.setdefault(path, mtime)
            if known != mtime:
                return path
        return None


def _module_files():
    for module in list(sys.modules.values()):
        path = getattr(module, "__file__", None)
        if not path:
            continue
        if path.endswith((".pyc", ".pyo")):
            path = path[:-1]
        yield path
