"""A named --application-group: the application, and everything that serves it, runs in
a sub-interpreter of the daemon process (mod_wsgi's named application groups), through
the standard library's private module for them (_interpreters on 3.13,
_xxsubinterpreters on 3.12; the front end refuses a named group on older Pythons).

CPython lets an interpreter run in one thread at a time from outside (exec() of a busy
one raises "interpreter already running"), so requests cannot each be passed in from our
threads; instead one thread of the main interpreter enters the sub-interpreter once, and
in there the usual runtime (main.serve) starts its own threads: each worker thread opens
its own connection to the front end and runs the application, so no request data ever
crosses between interpreters. The main interpreter keeps what only it can have: the
signal handlers, which reach the sub-interpreter as bytes on a pipe.

The sub-interpreter shares the process's GIL ("legacy" configuration, as mod_wsgi's
named groups without WSGIPerInterpreterGIL): an own GIL would refuse every extension
module without multi-phase initialisation and every daemon thread, which this runtime
and most applications use.

At the end the process leaves with os._exit() after the sub-interpreter's own stop
(shutdown subscribers, then its atexit callbacks unless --orphan-interpreter):
finalising the main interpreter while the sub-interpreter still has threads (the
control thread blocked in a read) aborts CPython ("not the last thread").
"""

import json
import os
import signal
import sys
import threading

from .errorlog import log
from .interpreter import leave

STOP, RECYCLE = b"T", b"U"


def _module():
    try:
        import _interpreters as interpreters  # 3.13
    except ImportError:
        import _xxsubinterpreters as interpreters  # 3.12
    return interpreters


def _create(interpreters):
    if hasattr(interpreters, "new_config"):
        return interpreters.create(interpreters.new_config("legacy"))
    return interpreters.create(isolated=False)


def _run(interpreters, interp, code):
    """Runs ``code`` in ``interp``; returns None, or a description of the exception that
    escaped it (3.13 returns one, 3.12 raises RunFailedError)."""
    run = getattr(interpreters, "exec", None) or interpreters.run_string
    try:
        failure = run(interp, code)
    except Exception as error:  # 3.12: RunFailedError with the formatted exception
        return str(error)
    if failure is None:
        return None
    return getattr(failure, "formatted", None) or str(failure)


def run_in_subinterpreter(config, package_dir):
    interpreters = _module()
    interp = _create(interpreters)
    read_end, write_end = os.pipe()
    settings = json.dumps(config._asdict())
    # Nothing is bound in the sub-interpreter's __main__: the application may use it.
    code = ("__import__('sys').path.insert(0, %r); "
            "__import__('_wsgi_express.subinterpreter', fromlist=['enter'])"
            ".enter(%r, %d, %r)" % (package_dir, settings, read_end, package_dir))
    outcome = []
    thread = threading.Thread(target=lambda: outcome.append(_run(interpreters, interp, code)),
                              name="wsgi-interpreter", daemon=True)
    _forward_signals(write_end)
    thread.start()
    while thread.is_alive():
        # A timeout keeps this (main) thread returning to Python, where signals run.
        thread.join(1.0)
    failure = outcome[0] if outcome else "the sub-interpreter's thread ended without a result"
    if failure is not None:
        log("application group %r: %s" % (config.applicationGroup, failure))
    return leave(0 if failure is None else 1, True)


def _forward_signals(write_end):
    stopping = []

    def on_stop(signum, frame):
        if stopping:
            os._exit(1)  # a second signal forces the exit, as in the main interpreter
        stopping.append(signum)
        os.write(write_end, STOP)

    signal.signal(signal.SIGTERM, on_stop)
    signal.signal(signal.SIGINT, on_stop)
    signal.signal(signal.SIGUSR1, lambda signum, frame: os.write(write_end, RECYCLE))


def enter(settings, read_end, package_dir):
    """In the sub-interpreter: the daemon's runtime, as main.main() sets it up after the
    process-wide steps (privileges, limits, working directory) it has already done."""
    from . import connection as connection_module
    from .launch import parse_launch
    from .main import serve
    from .process_setup import drop_own_directory, enter_working_directory, line_buffer_streams
    from .runtime import Runtime

    config = parse_launch(settings)
    line_buffer_streams()
    drop_own_directory(package_dir)
    sys.argv[:] = ["mod_wsgi"]
    enter_working_directory(config.workingDirectory, config.pythonPaths)
    if config.underGdb:
        connection_module.front_end_pid = os.getppid
    runtime = Runtime(config)
    runtime.install_mod_wsgi()
    serve(runtime, lambda: _watch_signals(read_end, runtime))
    if not config.orphanInterpreter:
        import atexit
        atexit._run_exitfuncs()


def _watch_signals(read_end, runtime):
    def watch():
        while True:
            byte = os.read(read_end, 1)
            if byte == RECYCLE:
                if runtime.monitor is not None:
                    runtime.monitor.request_recycle("graceful_signal")
                continue
            runtime.request_stop("shutdown_signal")
            return

    threading.Thread(target=watch, name="wsgi-signals", daemon=True).start()
