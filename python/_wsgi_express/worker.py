"""One request thread: serves requests in a loop on its persistent connection
(protocol.md, "One request on a worker connection")."""

import os
import sys
import threading
import time

from . import framing
from .connection import ConnectionClosed, IncompleteFile
from .environ import EnvironTemplate
from .errorlog import ErrorStream, log
from .framing import ProtocolError
from .input import Input, ProtocolViolation
from .loader import LoadError
from .modwsgi import RequestTimeout
from .registry import Request
from .messages import EnvironBases
from .response import ClientGone, Response

PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep
# Frames that may be left over from a request whose body we already finished with.
BODY_FRAMES = (framing.REQUEST_BODY, framing.REQUEST_BODY_FILE, framing.REQUEST_BODY_END,
               framing.REQUEST_BODY_ABORT)


class Worker:
    def __init__(self, index, connection, runtime):
        self.index = index
        self.connection = connection
        self._runtime = runtime
        self._template = EnvironTemplate(runtime.config, index)
        self._bases = EnvironBases()
        self.slot = runtime.metrics.slots[index]
        # busy is read by the stopping main thread: only an idle worker is woken.
        self.lock = threading.Lock()
        self.busy = False
        self.thread = threading.Thread(target=self.run, name="wsgi-worker-%d" % index,
                                       daemon=True)

    def run(self):
        self._runtime.metrics.thread_started(self.slot)
        try:
            while True:
                payload = self._next_head()
                if payload is None:
                    break
                self.serve(payload)
        except ConnectionClosed:
            pass
        except IncompleteFile as error:
            # A frame header promised bytes the file no longer had: the front end cuts
            # the response when this connection closes, so the client can tell.
            _log("worker %d: wsgi.file_wrapper response cut short, closing its "
                 "connection: %s" % (self.index, error))
        except RequestTimeout:
            # Injected just as the request ended, outside the application: the response
            # may be incomplete, so this connection cannot be trusted for another one.
            _log("worker %d: RequestTimeout arrived outside the application" % self.index)
        except (ProtocolError, ProtocolViolation, ValueError) as error:
            _log("worker %d: protocol error, closing its connection: %s" % (self.index, error))
        finally:
            self.connection.close()
            self._runtime.worker_exited(self)

    def _next_head(self):
        with self.lock:
            self.busy = False
            if self._runtime.stopping:
                return None
        while True:
            frame_type, payload = self.connection.read_frame()
            if frame_type == framing.REQUEST_HEAD:
                break
            if frame_type == framing.ENVIRON_BASE:
                self._bases.add(payload)
            elif frame_type not in BODY_FRAMES:
                raise ProtocolViolation("unexpected frame type 0x%02x between requests"
                                        % frame_type)
        with self.lock:
            self.busy = True
        return payload

    def serve(self, payload):
        """One whole request: environ, the application, the response, the drain."""
        daemon_start = time.time()
        head = self._bases.decode_head(payload)
        request = Request(head.id, threading.get_ident())
        registry = self._runtime.registry
        if not registry.add(request, self.index):
            # Recalled while it waited behind the previous request: it runs elsewhere.
            # Its body frames are skipped on the way to the next head.
            return
        self._runtime.metrics.begin(self.slot, daemon_start)
        if self._runtime.scoreboard is not None:
            self._runtime.scoreboard.begin(self.slot, head.environ)
        exchange = Exchange(head, request, self.connection)
        try:
            exchange.environ = self._template.build(head, exchange.input, exchange.errors,
                                                    daemon_start)
            exchange.response = Response(
                self.connection, exchange.request, _started_hook(self._runtime, exchange),
                sendfile=self._runtime.config.enableSendfile,
                # Read before the application can change it.
                head_only=exchange.environ["REQUEST_METHOD"] == "HEAD",
                on_end=lambda: self._account(head, daemon_start, exchange))
            self._call(exchange)
        finally:
            registry.remove(exchange.request)
            # Our own objects, not environ's: middleware may have replaced those.
            exchange.errors.close()
            self._account(head, daemon_start, exchange)
        exchange.input.drain()

    def _account(self, head, daemon_start, exchange):
        """The request's share of mod_wsgi's metrics (metrics.py): lifetime counts always,
        the interval's phases and classes only once start_recording_metrics() ran.
        Normally called by the response just before its last frame, so a client that
        saw the response end finds it counted; else when the request is torn down."""
        if exchange.accounted:
            return
        exchange.accounted = True
        finish = time.time()
        metrics, slot, response = self._runtime.metrics, self.slot, exchange.response
        metrics.finish(slot, daemon_start, finish)
        if self._runtime.scoreboard is not None and response is not None:
            slot.bytes_served += response.body_bytes
        if metrics.recording:
            metrics.record(slot, finish, head.request_start, head.queue_start, daemon_start,
                           exchange.application_start, _status(exchange),
                           exchange.input.bytes_read,
                           response.body_bytes if response is not None else 0)

    def _call(self, exchange):
        runtime = self._runtime
        # An --add-handler file: its handler script runs instead of the application.
        handler = exchange.environ.get("mod_wsgi.handler_script")
        application = None
        if handler:
            try:
                application = runtime.handlers.callable_for(
                    handler, exchange.environ.get("SCRIPT_FILENAME", ""))
            except LoadError as error:
                exchange.response.fail("the handler script failed to load:\n%s" % error)
                return
        else:
            if runtime.script_watch is not None:
                runtime.script_watch.check()
            if runtime.application is None:
                exchange.response.fail("the WSGI application failed to load:\n%s"
                                       % runtime.load_error)
                return
        runtime.requests.begin(exchange.request.id, exchange.data)
        try:
            if application is None:
                application = self._started(exchange)
            exchange.application_start = time.time()
            exchange.environ["mod_wsgi.application_start"] = exchange.application_start
            _run(application, exchange.environ, exchange.response)
        except ClientGone:
            exchange.failed = True
            exchange.response.fail("the client went away")
        except (ConnectionClosed, ProtocolError, ProtocolViolation, IncompleteFile):
            raise  # the connection is unusable: no response can follow
        except BaseException:
            exchange.failed = True
            self._failed(exchange)
        finally:
            runtime.requests.end(exchange.request.id)
            self._finished(exchange)

    def _started(self, exchange):
        """Publishes request_started; a subscriber may swap the application object."""
        runtime = self._runtime
        if not runtime.events.event_callbacks:
            return runtime.application
        environ = exchange.environ
        event = runtime.events.publish("request_started", {
            "request_id": exchange.request.id, "thread_id": self.index,
            "request_start": environ["mod_wsgi.request_start"],
            "queue_start": environ["mod_wsgi.queue_start"],
            "daemon_start": environ["mod_wsgi.daemon_start"],
            "application_object": runtime.application,
            "callable_object": runtime.config.callableObject,
            "request_environ": environ, "request_data": exchange.data,
        })
        return event.get("application_object") or runtime.application

    def _failed(self, exchange):
        import traceback  # on the first failure: a daemon that never fails never pays

        error = sys.exc_info()
        # Logged here once, naming its request; the front end does not repeat it.
        _log("Exception occurred processing WSGI application for %s (request %s, thread %d)."
             "\n%s" % (_describe(exchange.environ), exchange.request.id, self.index,
                       "".join(traceback.format_exception(error[0], error[1],
                                                          _app_frames(error[2])))))
        if self._runtime.events.event_callbacks:
            self._runtime.events.publish("request_exception", {
                "request_id": exchange.request.id, "exception_info": error,
                "request_data": exchange.data})
        message = traceback.format_exception_only(error[0], error[1])[-1].strip()
        exchange.response.fail(message, logged=True)

    def _finished(self, exchange):
        if not self._runtime.events.event_callbacks:
            return
        finish = time.time()
        start = exchange.application_start or finish
        self._runtime.events.publish("request_finished", {
            "request_id": exchange.request.id, "thread_id": self.index,
            "request_data": exchange.data, "response_status": exchange.response.status,
            "application_start": start, "application_finish": finish,
            "application_time": finish - start,
            "input_length": exchange.input.bytes_read,
            "output_length": exchange.response.body_bytes,
        })


class Exchange:
    """The objects of one request, owned by the worker (not looked up in environ)."""

    def __init__(self, head, request, connection):
        self.request = request
        self.input = Input(connection, head.expect_continue)
        self.errors = ErrorStream()
        self.data = {}  # mod_wsgi.request_data()
        self.environ = None
        self.response = None
        self.application_start = None
        self.failed = False
        self.accounted = False


def _describe(environ):
    """``GET /path?query from 127.0.0.1:5555``: the request, as a log line names it."""
    return "%s %s from %s:%s" % (environ.get("REQUEST_METHOD", "-"),
                                 environ.get("REQUEST_URI", "-"),
                                 environ.get("REMOTE_ADDR", "-"),
                                 environ.get("REMOTE_PORT", "-"))


def _run(application, environ, response):
    result = application(environ, response.start_response)
    try:
        response.send_result(result)
    finally:
        # PEP 3333: close() exactly once, whether iteration ended, failed or was cut.
        close = getattr(result, "close", None)
        if close is not None:
            close()
    response.finish()


def _status(exchange):
    """The status the client got, as an int: 500 when the request failed before its
    head went out (the front end answers with an error page), as mod_wsgi counts a
    request that never called start_response() as 5xx."""
    response = exchange.response
    if response is None or response.status is None or \
            (exchange.failed and not response.head_sent):
        return 500
    try:
        return int(response.status[:3])
    except ValueError:
        return 500


def _started_hook(runtime, exchange):
    events = runtime.events
    if not events.event_callbacks:
        return None

    def on_start(status, headers, exc_info):
        events.publish("response_started", {
            "request_id": exchange.request.id, "response_status": status,
            "response_headers": headers, "exception_info": exc_info,
            "request_data": exchange.data})
    return on_start


def _app_frames(tb):
    """The traceback from the application's first frame on: ours are noise in the log."""
    while tb is not None and tb.tb_next is not None and \
            tb.tb_frame.f_code.co_filename.startswith(PACKAGE_DIR):
        tb = tb.tb_next
    return tb


def _log(message):
    # A traceback ends with a newline of its own.
    log(message.rstrip("\n"))
