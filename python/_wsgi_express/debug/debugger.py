"""--enable-debugger: an exception escaping the application call, the response
iteration or close() opens a post-mortem pdb session on the terminal, then goes on to
the worker (the client gets a 500). mod_wsgi 4.4.11 only did this for the call."""

import pdb
import sys


def _post_mortem():
    traceback = sys.exc_info()[2]
    sys.stderr.write("wsgi-express: exception in the application; entering pdb\n")
    debugger = pdb.Pdb()
    debugger.reset()
    debugger.interaction(None, traceback)


def startup_break():
    """--debugger-startup: once, right after the application is loaded."""
    sys.stderr.write("wsgi-express: application loaded; entering pdb (c to serve)\n")
    pdb.Pdb().set_trace(sys._getframe(1))


class PostMortemDebugger:
    def __init__(self, application):
        self._application = application

    def __call__(self, environ, start_response):
        try:
            result = self._application(environ, start_response)
        except BaseException:
            _post_mortem()
            raise
        return _DebuggedResult(result)


class _DebuggedResult:
    def __init__(self, result):
        self._result = result

    def __iter__(self):
        try:
            for chunk in self._result:
                yield chunk
        except GeneratorExit:
            raise
        except BaseException:
            _post_mortem()
            raise

    def close(self):
        close = getattr(self._result, "close", None)
        if close is None:
            return
        try:
            close()
        except BaseException:
            _post_mortem()
            raise
