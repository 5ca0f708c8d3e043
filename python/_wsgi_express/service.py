"""A service script's process: privileges, the same paths as the daemons, the mod_wsgi
module, SIGTERM -> SystemExit, then the script as __main__ (reference §4)."""

import collections
import json
import os
import runpy
import signal
import sys
import threading
import traceback

from . import modwsgi
from .metrics import Metrics
from .modwsgi import Events, RequestState
from .process_setup import line_buffer_streams, take_on_settings
from .scoreboard import Scoreboard

ENV_VAR = "WSGI_EXPRESS_SERVICE"

# What build_module reads: a service is a process group of its own with no threads.
ModuleConfig = collections.namedtuple(
    "ModuleConfig", "processGroup applicationGroup processes threads")


def main(package_dir):
    line_buffer_streams()
    settings, parsed, status = take_on_settings(
        ENV_VAR, package_dir, _log, lambda given: (given["name"], given["script"]))
    if status is not None:
        return status
    name, script = parsed
    _install_mod_wsgi(name, settings.get("serverMetrics") is True)
    signal.signal(signal.SIGTERM, _raise_system_exit)
    lifeline = settings.get("lifeline")
    if isinstance(lifeline, int):
        _watch_lifeline(lifeline)
    return _run(script)


def _watch_lifeline(fd):
    """The front end holds the other end of this pipe and never writes to it: it reads
    end-of-file once the front end is gone, however it went (a service runs in a
    session of its own, so no terminal signal reaches it). The service then stops as
    if the front end had stopped it: SIGTERM, SystemExit in the script."""
    try:
        os.set_inheritable(fd, False)  # not to the script's own children
    except OSError:
        return  # started without one (by hand): nothing to watch

    def wait_for_close():
        try:
            while os.read(fd, 4096):
                pass
        except OSError:
            pass
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=wait_for_close, name="wsgi-express-lifeline", daemon=True).start()


def _install_mod_wsgi(name, server_metrics):
    """As mod_wsgi's service daemons (threads=0): process_metrics() describes this
    process, request_metrics() counts no requests, server_metrics() lists no workers."""
    metrics = Metrics(0)
    scoreboard = Scoreboard(metrics, 1, 1) if server_metrics else None
    modwsgi.install(ModuleConfig("service:" + name, "", 1, 0), Events(), RequestState(),
                    metrics, scoreboard)


def _raise_system_exit(signum, frame):
    # mod_wsgi's default handler in service processes: the script may clean up.
    raise SystemExit(0)


def _run(script):
    sys.argv[:] = [script]
    try:
        runpy.run_path(script, run_name="__main__")
    except SystemExit as stop:
        # As under mod_wsgi, SystemExit is how a service ends; it is not an error.
        return stop.code
    except BaseException:
        traceback.print_exc()
        return 1
    return 0


def _log(message):
    sys.stderr.write("wsgi-express service (pid=%d): %s\n" % (os.getpid(), message))
