"""Embedded mode (docs/embedded-mode.md): the daemon runtime, run inside a front-end
worker process by the native addon (native/embedded/embedded.c) instead of as a daemon.

The addon calls start() once, on the process's main thread, with two functions of its
own: ``recv(slot)`` and ``send(slot, data)``, each an in-process byte pipe to the
front end's JavaScript (one slot per request thread, then one for control). Both wait
with the GIL released. The frames on those pipes are the daemon protocol's
(docs/protocol.md), so Worker, Control, Input, Response, the environ and the mod_wsgi
module are the daemon's own, unchanged: only the transport differs.
"""

import atexit
import errno
import json
import signal
import sys
import traceback

from .connection import Connection, SharedConnection
from .control import Control, _python_version
from .debug import DebugSession
from .embedded_fork import refuse_fork
from .errorlog import log
from .interpreter import apply_switch_interval
from .launch import LaunchError, parse_launch
from .main import _hide_ourselves, _load
from .monitor import Monitor
from .process_setup import enter_working_directory, line_buffer_streams
from .reloader import Reloader
from .runtime import Runtime
from .slot_reader import SlotReader
from .worker import Worker


class NativeSocket:
    """The part of a socket that Connection and FrameReader use, over one slot."""

    def __init__(self, recv, send, slot):
        self._recv = recv
        self._send = send
        self._slot = slot
        self._pending = memoryview(b"")

    def recv(self):
        """The next piece the front end pushed; b"" once the slot is closed."""
        return self._recv(self._slot)

    def recv_into(self, view):
        data = self._pending if self._pending else memoryview(self._recv(self._slot))
        count = min(len(view), len(data))
        view[:count] = data[:count]
        self._pending = data[count:]
        return count

    def sendall(self, data):
        if self._send(self._slot, data if type(data) is bytes else bytes(data)) < 0:
            raise OSError(errno.EPIPE, "the front end closed this thread's channel")

    def sendmsg(self, views):
        data = b"".join(views)
        self.sendall(data)
        return len(data)

    def fileno(self):
        # No descriptor: Connection sends a file's bytes with pread() instead.
        raise OSError(errno.ENOTSOCK, "an embedded channel has no file descriptor")

    def shutdown(self, how):
        # Only the front end closes a slot (at shutdown, when its worker stops).
        pass

    def close(self):
        pass


def slot_connection(kind, recv, send, slot):
    """A Connection (or SharedConnection) over one slot, reading with a SlotReader."""
    native = NativeSocket(recv, send, slot)
    return kind(native, SlotReader(native.recv))


def start(recv, send, package_dir, settings):
    """Sets the runtime up, loads the application, starts the control thread and one
    thread per request slot; returns a JSON report. Never raises: a failure is
    reported in the JSON, and the front end refuses to serve."""
    try:
        return json.dumps(_start(recv, send, package_dir, settings))
    except BaseException as error:  # noqa: B902 - the addon must get an answer
        return json.dumps({"error": "".join(traceback.format_exception_only(
            type(error), error)).strip()})


def _start(recv, send, package_dir, settings):
    line_buffer_streams()
    try:
        config = parse_launch(settings)
    except LaunchError as error:
        return {"error": str(error)}
    _hide_ourselves(package_dir)
    try:
        enter_working_directory(config.workingDirectory, config.pythonPaths)
    except OSError as error:
        return {"error": "cannot change to the working directory %s: %s"
                % (config.workingDirectory, error)}
    apply_switch_interval(config.switchInterval, log)
    restrict_signals()
    refuse_fork()
    runtime = Runtime(config)
    # A thread whose channel closed stops quietly: the front end closes them all when
    # its worker stops, and notices (and logs) one lost while serving itself.
    runtime.worker_exited = lambda worker: None
    runtime.install_mod_wsgi()
    _load(runtime, DebugSession(config))
    control = Control(slot_connection(SharedConnection, recv, send, config.threads), runtime)

    def publish_stopping():
        # The reason is the one the front end's SHUTDOWN frame gave as the worker began
        # to stop. That frame was pushed before Python is finalised, but the control
        # thread may not have read it yet: the channel is closed by then, so the thread
        # ends once it has; a bounded wait for it.
        control.thread.join(1.0)
        runtime.events.publish_stopping(runtime.stop_reason or "shutdown_signal")

    # mod_wsgi's process_stopping, as the worker's Python is finalised: registered after
    # the application's import-time atexit handlers, so it runs before them.
    atexit.register(publish_stopping)
    for index in range(config.threads):
        connection = slot_connection(Connection, recv, send, index)
        runtime.workers.append(Worker(index, connection, runtime))
    control.thread.start()
    for worker in runtime.workers:
        worker.thread.start()
    if config.reloadOnChanges:
        # As in a daemon: a change asks, over control, for a graceful replacement (the
        # worker's recycle-watch.ts passes it to the primary).
        runtime.monitor = Monitor(control.connection)
        runtime.monitor.thread.start()
        Reloader(runtime.monitor.request_recycle).thread.start()
    return {
        "app": {"loaded": runtime.application is not None, "error": runtime.load_error},
        "python": {"version": _python_version(), "prefix": sys.prefix,
                   "executable": sys.executable},
    }


def restrict_signals():
    """As mod_wsgi's WSGIRestrictSignal (on by default): the application cannot take
    the worker's signals over. A registration is logged with the stack that made it and
    ignored; the handler is returned as if it had been installed. The front end's own
    SIGTERM/SIGINT handling (node's) is never replaced."""
    def intercepted(signum, handler):
        log("Callback registration for signal %d ignored.\n%s"
            % (int(signum), "".join(traceback.format_stack()[:-1]).rstrip("\n")))
        return handler

    signal.signal = intercepted

