"""The state one daemon process shares between its threads, and its stop sequence."""

import sys
import threading

from . import modwsgi
from .handlers import HandlerScripts
from .metrics import Metrics
from .modwsgi import Events, RequestState
from .registry import Registry
from .scoreboard import Scoreboard


# Seconds a worker whose connection closed waits for a stop signal before calling it a
# loss (worker_exited).
STOP_SIGNAL_GRACE = 0.5


class Runtime:
    def __init__(self, config):
        self.config = config
        self.events = Events()
        self.requests = RequestState()
        self.registry = Registry()
        self.metrics = Metrics(config.threads)
        # --server-metrics: mod_wsgi.server_metrics() answers; else it returns None.
        self.scoreboard = Scoreboard(self.metrics, config.processes, config.processIndex,
                                     lambda: self.stopping) if config.serverMetrics else None
        self.application = None
        self.load_error = None
        # The WSGI script's ScriptWatch when script reloading is on (script_watch.py).
        self.script_watch = None
        # --add-handler scripts, loaded on their first request (handlers.py).
        self.handlers = HandlerScripts(config.handlerScripts, config.scriptReloading)
        self.workers = []
        # The control connection's writer (heartbeats, recycle requests), once connected.
        self.monitor = None
        self.stopping = False
        self.stop_reason = None
        self._stop_requested = threading.Event()

    def install_mod_wsgi(self):
        return modwsgi.install(self.config, self.events, self.requests, self.metrics,
                               self.scoreboard)

    def request_stop(self, reason):
        """Safe from a signal handler or any thread: the main thread does the work."""
        if self.stop_reason is None:
            self.stop_reason = reason
        self._stop_requested.set()

    def wait_for_stop(self):
        # A timeout keeps the main thread returning to the interpreter loop, where
        # signal handlers run.
        while not self._stop_requested.wait(1.0):
            pass
        return self.stop_reason

    def stop(self):
        """mod_wsgi's shutdown: publish process_stopping, take no new requests, let
        the ones in flight finish (reference §6.4). The front end SIGKILLs a process
        that takes longer than its own shutdown timeout."""
        self.events.publish_stopping(self.stop_reason or "shutdown_signal")
        self.stopping = True
        for worker in self.workers:
            with worker.lock:
                if not worker.busy:
                    worker.connection.shutdown_read()
        for worker in self.workers:
            while worker.thread.is_alive():
                worker.thread.join(1.0)

    def worker_exited(self, worker):
        if self.stopping:
            return
        # A Ctrl-C reaches every process of the group at once: the front end may close
        # this thread's connection before the main thread has run its own SIGINT
        # handler. A stop asked for meanwhile is not a lost connection.
        if self._stop_requested.wait(STOP_SIGNAL_GRACE):
            return
        sys.stderr.write("wsgi-express: worker %d lost its connection; stopping the "
                         "process so the front end replaces it\n" % worker.index)
        self.request_stop("connection_lost")
