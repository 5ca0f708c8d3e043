"""Script reloading, as mod_wsgi does it: each request stats the WSGI script file, and
one whose mtime changed since it was loaded is loaded again before the request runs, so
the very next request sees the edit (mod_wsgi compares the module's __mtime__ on every
request; reference §6.5). The front end also restarts the daemons gracefully on such a
change (src/daemon/supervisor.ts), which refreshes the modules the script imports, as
mod_wsgi's daemon-mode restart does."""

import os
import threading


class ScriptWatch:
    def __init__(self, path, load):
        """``load()`` loads the application again and records the outcome itself."""
        self._path = path
        self._load = load
        self._lock = threading.Lock()
        self._mtime = self._stat()

    def _stat(self):
        try:
            return os.stat(self._path).st_mtime
        except OSError:
            return None

    def check(self):
        """One stat; a reload, once, by whichever thread sees the change first."""
        mtime = self._stat()
        if mtime is None or mtime == self._mtime:
            return
        with self._lock:
            if mtime == self._mtime:
                return
            try:
                self._load()
            finally:
                # Recorded once the load is over, so that a thread that sees the edit
                # meanwhile waits on the lock rather than run the old code; recorded
                # even when it failed: a script that fails to load is not retried on
                # every request, only after its next edit.
                self._mtime = mtime
