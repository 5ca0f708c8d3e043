"""The daemon's side of supervision: the heartbeat that proves the GIL can be taken
(the front end enforces --deadlock-timeout on its silence, from outside the GIL), the
requests to be replaced (cpu_time_limit, reload_on_changes, graceful_signal), and the
RequestTimeout injection asked for by INTERRUPT. The monitor thread writes heartbeats
and recycle requests, so a signal handler only has to put a reason in a queue."""

import json
import queue
import sys
import threading

from . import framing
from .connection import ConnectionClosed
from .framing import encode_frame
from .modwsgi import RequestTimeout

HEARTBEAT_SECONDS = 1.0
HEARTBEAT = encode_frame(framing.HEARTBEAT, b"")


class Monitor:
    def __init__(self, connection):
        self._connection = connection
        # SimpleQueue.put is safe from a signal handler (it is reentrant).
        self._recycles = queue.SimpleQueue()
        self.thread = threading.Thread(target=self.run, name="wsgi-monitor", daemon=True)

    def request_recycle(self, reason):
        """Ask the front end for a graceful replacement; safe from signal handlers."""
        self._recycles.put(reason)

    def run(self):
        try:
            while True:
                try:
                    reason = self._recycles.get(timeout=HEARTBEAT_SECONDS)
                except queue.Empty:
                    self._connection.send(HEARTBEAT)
                    continue
                payload = json.dumps({"reason": reason}).encode("utf-8")
                self._connection.send(encode_frame(framing.RECYCLE, payload))
        except ConnectionClosed:
            pass


def log_stack(ident, request_id):
    """The stuck request's stack, before it is interrupted: where it was waiting is what
    the user needs (gunicorn users ask for this; mod_wsgi logs all threads' stacks)."""
    import traceback  # only on a timeout: not every daemon pays for it

    frame = sys._current_frames().get(ident)
    if frame is None:
        return
    stack = "".join(traceback.format_stack(frame))
    sys.stderr.write("wsgi-express: request %s passed --request-timeout in thread %d; its "
                     "stack:\n%s" % (request_id, ident, stack))


def interrupt_thread(ident):
    """Raises mod_wsgi.RequestTimeout in thread ``ident`` at its next bytecode (mod_wsgi
    6 uses the same PyThreadState_SetAsyncExc). A thread blocked in C code (a long
    time.sleep(), a socket read) only sees it when that call returns."""
    import ctypes  # only on a timeout: not every daemon pays for it

    set_async_exc = ctypes.pythonapi.PyThreadState_SetAsyncExc
    count = set_async_exc(ctypes.c_ulong(ident), ctypes.py_object(RequestTimeout))
    if count > 1:
        set_async_exc(ctypes.c_ulong(ident), None)
        return False
    return count == 1
