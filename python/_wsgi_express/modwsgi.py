"""The Python-visible ``mod_wsgi`` module (reference §6.9), registered in sys.modules
before the application is loaded so ``import mod_wsgi`` works as under Apache."""

import sys
import threading
import types

from .filewrapper import FileWrapper

VERSION = (6, 0, 0)


class RequestTimeout(BaseException):
    """Raised in a request thread whose request ran too long (mod_wsgi 6.0).

    A BaseException so that ``except Exception`` in the application cannot swallow it.
    """

    # Tracebacks and logs name it as the application imports it: mod_wsgi.RequestTimeout.
    __module__ = "mod_wsgi"


class Events:
    """Subscriber lists and publishing with mod_wsgi semantics: ``cb(name, **event)``;
    a dict returned by a callback is merged into the event for later callbacks."""

    def __init__(self):
        self.event_callbacks = []
        self.shutdown_callbacks = []
        self.signal_callbacks = []

    def subscribe_events(self, callback):
        self.event_callbacks.append(callback)
        return callback

    def subscribe_shutdown(self, callback):
        self.shutdown_callbacks.append(callback)
        return callback

    def subscribe_signals(self, callback):
        self.signal_callbacks.append(callback)
        return callback

    def publish(self, name, event, callbacks=None):
        """Calls each subscriber; returns ``event`` with any returned dicts merged in.

        A callback that raises is logged and skipped: one broken monitoring hook must
        not fail the request (mod_wsgi logs such exceptions the same way).
        """
        for callback in list(self.event_callbacks if callbacks is None else callbacks):
            try:
                result = callback(name, **event)
            except Exception:
                import traceback  # rare: only a broken callback pays for it

                sys.stderr.write("wsgi-express: exception in %r event callback %r:\n%s"
                                 % (name, callback, traceback.format_exc()))
                continue
            if isinstance(result, dict):
                event.update(result)
        return event

    def publish_stopping(self, reason):
        # Both lists hear about process_stopping: subscribe_shutdown only filters.
        event = {"shutdown_reason": reason}
        self.publish("process_stopping", event, self.shutdown_callbacks)
        self.publish("process_stopping", event)


class RequestState:
    """Per-thread current request data, behind mod_wsgi.request_data()."""

    def __init__(self):
        self._local = threading.local()
        self.active_requests = {}

    def begin(self, request_id, data):
        self._local.data = data
        self.active_requests[request_id] = data

    def end(self, request_id):
        self._local.data = None
        self.active_requests.pop(request_id, None)

    def current(self):
        return getattr(self._local, "data", None)

    def request_data(self):
        data = getattr(self._local, "data", None)
        if data is None:
            raise RuntimeError("no active request for the current thread")
        return data


def build_module(config, events, requests, metrics, scoreboard=None):
    """A fresh ``mod_wsgi`` module object for this process's launch config.
    ``scoreboard`` is None unless --server-metrics: server_metrics() then returns None,
    as mod_wsgi's does without server-metrics=On."""
    module = types.ModuleType("mod_wsgi", "wsgi-express implementation of mod_wsgi's API")
    module.version = VERSION
    module.process_group = config.processGroup
    module.application_group = config.applicationGroup
    module.maximum_processes = config.processes
    module.threads_per_process = config.threads
    module.FileWrapper = FileWrapper
    module.RequestTimeout = RequestTimeout
    module.subscribe_events = events.subscribe_events
    module.subscribe_shutdown = events.subscribe_shutdown
    module.subscribe_signals = events.subscribe_signals
    module.event_callbacks = events.event_callbacks
    module.shutdown_callbacks = events.shutdown_callbacks
    module.signal_callbacks = events.signal_callbacks
    module.request_data = requests.request_data
    module.active_requests = requests.active_requests
    # mod_wsgi 6: process_metrics() and request_metrics() return None until
    # start_recording_metrics() was called (metrics.py).
    module.start_recording_metrics = metrics.start_recording_metrics
    module.process_metrics = metrics.process_metrics
    module.request_metrics = metrics.request_metrics
    module.server_metrics = _none if scoreboard is None else scoreboard.server_metrics
    return module


def _none():
    return None


def install(config, events, requests, metrics, scoreboard=None):
    module = build_module(config, events, requests, metrics, scoreboard)
    sys.modules["mod_wsgi"] = module
    return module
