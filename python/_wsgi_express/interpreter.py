"""How this process's interpreter runs: --switch-interval, --free-threading and
--orphan-interpreter (mod_wsgi 6's switch-interval=, WSGIFreeThreading and
WSGIDestroyInterpreter)."""

import os
import sys


def free_threaded_build():
    """PEP 703: the build has Py_GIL_DISABLED (a 3.13t); the GIL may still be on."""
    try:
        import sysconfig
    except ImportError:  # pragma: no cover - always there in CPython
        return False
    return bool(sysconfig.get_config_var("Py_GIL_DISABLED"))


def gil_enabled():
    """sys._is_gil_enabled() where it exists (3.13); before 3.13 there is always one."""
    check = getattr(sys, "_is_gil_enabled", None)
    return True if check is None else bool(check())


def describe_gil():
    """What the banner's Python Version line adds: nothing on a build with the GIL."""
    if not free_threaded_build():
        return ""
    return " (free-threaded, GIL %s)" % ("enabled" if gil_enabled() else "disabled")


def apply_switch_interval(seconds, log):
    """sys.setswitchinterval() once, before the application loads, logged as mod_wsgi
    logs it; skipped with a warning where no GIL is held (mod_wsgi's WSGI0203)."""
    if seconds is None:
        return
    if not gil_enabled():
        log("--switch-interval %s ignored: this process runs with the GIL disabled, so "
            "there is nothing to switch" % seconds)
        return
    sys.setswitchinterval(seconds)
    log("Python switch interval set to %s seconds" % sys.getswitchinterval())


def report_free_threading(wanted, log):
    """--free-threading: say whether the GIL is really off (the front end started this
    process with -X gil=0, which no extension module can turn back on)."""
    if not wanted:
        return
    if gil_enabled():
        log("--free-threading: the GIL is enabled in this process after all")
    else:
        log("free-threading: the GIL is disabled (sys._is_gil_enabled() is False)")


def leave(status, orphan):
    """The end of a daemon that stopped normally. With --orphan-interpreter the process
    ends here, as mod_wsgi's WSGIDestroyInterpreter Off: its shutdown subscribers have
    run (runtime.stop()), but atexit callbacks, the wait for non-daemon threads and the
    rest of interpreter finalisation do not happen. Else Python finalises as usual."""
    if not orphan:
        return status
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (AttributeError, OSError, ValueError):
            pass
    os._exit(status)
