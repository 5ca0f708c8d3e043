"""--enable-profiler: cProfile over the application's process, dumped at exit as
<profiler-directory>/<int(time.time()*1e6)>-<pid>.pstats (reference §5)."""

import cProfile
import os
import time


class Profiler:
    def __init__(self, directory):
        self.directory = directory
        self.profile = cProfile.Profile()
        self.profile.enable()

    def pause(self):
        # cProfile (before 3.12) follows only the thread that enabled it, so the load is
        # profiled here and each request in its worker thread (ProfilingMiddleware).
        self.profile.disable()

    def write(self):
        self.profile.disable()
        os.makedirs(self.directory, exist_ok=True)
        name = "%d-%d.pstats" % (int(time.time() * 1000000), os.getpid())
        self.profile.dump_stats(os.path.join(self.directory, name))


class ProfilingMiddleware:
    """Profiles the application call, its response iteration and close()."""

    def __init__(self, application, profiler):
        self._application = application
        self._profile = profiler.profile

    def __call__(self, environ, start_response):
        self._profile.enable()
        try:
            result = self._application(environ, start_response)
        finally:
            self._profile.disable()
        return _ProfiledResult(result, self._profile)


class _ProfiledResult:
    def __init__(self, result, profile):
        self._result = result
        self._profile = profile

    def __iter__(self):
        iterator = iter(self._result)
        while True:
            self._profile.enable()
            try:
                chunk = next(iterator)
            except StopIteration:
                return
            finally:
                self._profile.disable()
            yield chunk

    def close(self):
        close = getattr(self._result, "close", None)
        if close is not None:
            self._profile.enable()
            try:
                close()
            finally:
                self._profile.disable()
