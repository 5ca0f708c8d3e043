"""The control connection: opened first, announces the process (app status, Python),
then carries ABORT frames for requests whose client went away, INTERRUPT, SHUTDOWN, and
RECALL, which it answers at once with RECALLED."""

import json
import sys
import threading

from . import framing
from .connection import ConnectionClosed
from .framing import ProtocolError, encode_frame
from .interpreter import describe_gil
from .monitor import interrupt_thread, log_stack


def send_hello(connection, runtime):
    config = runtime.config
    connection.hello(
        config.token, "control", 0,
        app={"loaded": runtime.application is not None, "error": runtime.load_error},
        python={"version": _python_version(), "prefix": sys.prefix,
                "executable": sys.executable},
    )


def _python_version():
    """platform.python_version() without importing platform: the first word of
    sys.version ("3.11.7", "3.13.0rc1"); on a free-threaded build, whether the GIL is
    on ("3.13.0 (free-threaded, GIL disabled)")."""
    return sys.version.split()[0] + describe_gil()


class Control:
    def __init__(self, connection, runtime):
        self.connection = connection
        self._runtime = runtime
        self.thread = threading.Thread(target=self.run, name="wsgi-control", daemon=True)

    def run(self):
        reason = "control_connection_closed"
        try:
            while True:
                frame_type, payload = self.connection.read_frame()
                if frame_type == framing.ABORT:
                    self._abort(payload)
                elif frame_type == framing.INTERRUPT:
                    self._interrupt(payload)
                elif frame_type == framing.RECALL:
                    self._recall(payload)
                elif frame_type == framing.SHUTDOWN:
                    self._runtime.request_stop(_field(payload, "reason") or "shutdown_signal")
                else:
                    sys.stderr.write("wsgi-express: ignoring frame type 0x%02x on the "
                                     "control connection\n" % frame_type)
        except ConnectionClosed:
            pass
        except ProtocolError as error:
            sys.stderr.write("wsgi-express: protocol error on the control connection: "
                             "%s\n" % error)
            reason = "protocol_error"
        # Without its control connection the front end cannot manage this process
        # (it has died, or it dropped us): stop rather than linger as an orphan.
        self._runtime.request_stop(reason)

    def _abort(self, payload):
        request_id = _field(payload, "id")
        if request_id is None:
            sys.stderr.write("wsgi-express: malformed ABORT frame ignored\n")
            return
        self._runtime.registry.abort(request_id)

    def _interrupt(self, payload):
        request_id = _field(payload, "id")

        def inject(ident):
            log_stack(ident, request_id)
            return interrupt_thread(ident)

        if request_id is not None and self._runtime.registry.interrupt(request_id, inject):
            sys.stderr.write("wsgi-express: request %s timed out; raised "
                             "mod_wsgi.RequestTimeout in its thread\n" % request_id)


    def _recall(self, payload):
        """Cancels a request written ahead to a busy thread, unless it has started; the
        front end re-dispatches it on a yes (docs/protocol.md, "Dispatch ahead")."""
        try:
            message = json.loads(payload)
            request_id, thread = str(message["id"]), message["thread"]
        except (ValueError, KeyError, TypeError):
            thread = None
        if type(thread) is not int:
            sys.stderr.write("wsgi-express: malformed RECALL frame ignored\n")
            return
        recalled = self._runtime.registry.recall(request_id, thread)
        answer = {"id": request_id, "thread": thread, "recalled": recalled}
        self.connection.send(encode_frame(framing.RECALLED, json.dumps(answer).encode()))


def _field(payload, name):
    """A string field of a JSON object payload, or None when it is malformed."""
    try:
        value = json.loads(payload)[name]
    except (ValueError, KeyError, TypeError):
        return None
    return str(value)
