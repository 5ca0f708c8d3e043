"""Start-up of a daemon process, in the order protocol.md gives: launch settings,
a clean sys.path and os.environ, the mod_wsgi module, the application, the control
connection, one connection per request thread; then serve until told to stop."""

import os
import signal
import sys
import types

from . import connection as connection_module
from .connection import Connection, SharedConnection
from .control import Control, send_hello
from .debug import DebugSession
from .errorlog import log
from .interpreter import apply_switch_interval, leave, report_free_threading
from .launch import LaunchError, take_launch_config
from .limits import apply_limits, set_process_name
from .loader import LoadError, load_application
from .monitor import Monitor
from .reloader import Reloader
from .script_watch import ScriptWatch
from .privileges import EXIT_PRIVILEGES, PrivilegeError, drop_privileges
from .process_setup import (EXIT_CONFIG, drop_own_directory, enter_working_directory,
                            line_buffer_streams)
from .runtime import Runtime
from .worker import Worker

EXIT_CONNECT = 3


def main(package_dir):
    line_buffer_streams()
    try:
        config = take_launch_config(os.environ)
    except LaunchError as error:
        log(str(error))
        return EXIT_CONFIG
    # As root still: after setuid the process is not dumpable and /proc/self/comm,
    # which this writes, belongs to root (proc(5), PR_SET_DUMPABLE).
    set_process_name(config.displayName)
    try:
        # Before the application is imported: none of its code may run as root.
        drop_privileges(config.user, config.group)
    except PrivilegeError as error:
        log(str(error))
        return EXIT_PRIVILEGES
    if config.underGdb:
        connection_module.front_end_pid = os.getppid
    _hide_ourselves(package_dir)
    try:
        enter_working_directory(config.workingDirectory, config.pythonPaths)
    except OSError as error:
        # CVE-2014-8583: a daemon that cannot enter its working directory (as its
        # --user, say) stops, instead of running the app from wherever it was.
        log("cannot change to the working directory %s: %s" % (config.workingDirectory, error))
        return EXIT_PRIVILEGES
    report_free_threading(config.freeThreading, log)
    apply_switch_interval(config.switchInterval, log)
    if config.applicationGroup:
        # A named --application-group: the application runs in a sub-interpreter
        # (subinterpreter.py), this interpreter keeps the signals.
        from .subinterpreter import run_in_subinterpreter
        return run_in_subinterpreter(config, package_dir)
    runtime = Runtime(config)
    runtime.install_mod_wsgi()
    apply_limits(config, lambda: runtime.monitor)
    _install_signal_handlers(runtime)
    # Again once the app is loaded, in case it installed its own: stopping stays ours.
    status = serve(runtime, lambda: _install_signal_handlers(runtime))
    return leave(status, config.orphanInterpreter)


def serve(runtime, when_loaded):
    """Loads the application, connects to the front end and serves until told to stop;
    ``when_loaded`` runs once the application is loaded. In this process's main
    interpreter, or in a sub-interpreter for a named --application-group."""
    config = runtime.config
    debug = DebugSession(config)
    debug.start()
    _load(runtime, debug)
    try:
        control = _connect(runtime)
    except OSError as error:
        log("cannot connect to the front end at %s: %s" % (config.socket, error))
        return EXIT_CONNECT
    when_loaded()
    control.thread.start()
    runtime.monitor.thread.start()
    for worker in runtime.workers:
        worker.thread.start()
    if config.reloadOnChanges:
        Reloader(runtime.monitor.request_recycle).thread.start()
    runtime.wait_for_stop()
    runtime.stop()
    control.connection.shutdown_read()
    control.connection.close()
    debug.finish()
    return 0


def _hide_ourselves(package_dir):
    """Our directory must not shadow or leak into the application's imports."""
    drop_own_directory(package_dir)
    # As mod_wsgi: the application does not see the daemon's command line, and its
    # __main__ is an empty module, not our daemon.py (whose path would leak through
    # sys.modules["__main__"].__file__).
    sys.argv[:] = ["mod_wsgi"]
    sys.modules["__main__"] = types.ModuleType("__main__")


def _load(runtime, debug):
    config = runtime.config
    # A Paste Deploy .ini is watched too, as mod_wsgi-express's reload_required() does.
    if (config.scriptReloading and config.applicationType in ("script", "paste")
            and config.entryPoint):
        # Stats the script before it is read: an edit made while it loads is seen.
        runtime.script_watch = ScriptWatch(os.path.abspath(config.entryPoint),
                                           lambda: _reload_application(runtime, debug))
    _load_application(runtime, debug)


def _reload_application(runtime, debug):
    """An edited script, loaded again. If it no longer loads, the application loaded
    before serves on: the front end keeps this process until a replacement loads."""
    if runtime.application is None:
        _load_application(runtime, debug)
        return
    try:
        runtime.application = debug.loaded(load_application(runtime.config))
    except LoadError as error:
        log("%s\nThe edited WSGI script file failed to load; the application loaded "
            "before serves on." % error)


def _load_application(runtime, debug):
    try:
        application = debug.loaded(load_application(runtime.config))
    except LoadError as error:
        # The process stays up and answers each request with an error (a 500), so the
        # traceback is visible in the log instead of in a crash loop.
        runtime.application = None
        runtime.load_error = str(error)
        log(runtime.load_error)
        return
    runtime.application = application
    runtime.load_error = None


def _connect(runtime):
    config = runtime.config
    control = Control(SharedConnection.open(config.socket), runtime)
    send_hello(control.connection, runtime)
    runtime.monitor = Monitor(control.connection)
    body_files = _can_open(config.bodyFileProbe)
    for index in range(config.threads):
        connection = Connection.open(config.socket, config.sendBufferSize,
                                     config.receiveBufferSize)
        connection.hello(config.token, "worker", index, bodyFiles=body_files)
        runtime.workers.append(Worker(index, connection, runtime))
    return control


def _can_open(probe):
    """Whether this process can open the front end's spool files by their
    /proc/PID/fd path: not when it runs as another user (--user), nor off Linux. Its
    workers are sent spooled bodies as files only then, else as frames."""
    if probe is None:
        return False
    try:
        os.close(os.open(probe, os.O_RDONLY | os.O_CLOEXEC))
    except OSError:
        return False
    return True


def _install_signal_handlers(runtime):
    def on_signal(signum, frame):
        if runtime.stop_reason == "shutdown_signal":
            # A second signal forces the exit, as a user pressing Ctrl-C twice expects.
            os._exit(1)
        runtime.request_stop("shutdown_signal")

    def on_usr1(signum, frame):
        # mod_wsgi: SIGUSR1 sent to a daemon recycles it gracefully (reference §2.4).
        if runtime.monitor is not None:
            runtime.monitor.request_recycle("graceful_signal")

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGUSR1, on_usr1)
