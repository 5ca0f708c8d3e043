"""mod_wsgi.server_metrics(): the shape of mod_wsgi's view of Apache's scoreboard
(server, then processes, then workers; src/server/wsgi_metrics.c), assembled from what
one process knows about itself. There is no shared scoreboard here: the ``processes``
list holds only the calling process, and its workers are its request threads.

Fields, as they are filled in here:

- server: ``server_limit`` / ``thread_limit`` are --processes / --threads;
  ``running_generation`` is 0 (the front end counts restarts, not this process);
  ``restart_time`` is when this process started; ``current_time``; ``running_time``
  (whole seconds between the two).
- process: ``process_num`` (0-based index of this daemon among --processes), ``pid``,
  ``generation`` (0), ``quiescing`` (True once the process is stopping).
- worker (one per request thread, none in a service script): ``thread_num``
  (0-based, as ``mod_wsgi.thread_id``), ``generation`` (0), ``status`` (Apache's
  letters: ``_`` idle, ``W`` in a request, ``G`` in a request while the process stops,
  ``.`` not started), ``access_count`` (requests served), ``bytes_served`` (response
  body bytes), ``start_time`` / ``stop_time`` (when the current or last request began
  and when the last one ended; 0.0 before the first), ``last_used`` (the later of the
  two), ``client`` (REMOTE_ADDR), ``request`` ("METHOD URI PROTOCOL" of the current or
  last request, cut to Apache's 63 characters) and ``vhost`` (SERVER_NAME).
"""

import os
import time

REQUEST_LINE_MAX = 63  # Apache's worker_score.request is char[64]


class Scoreboard:
    def __init__(self, metrics, processes, process_index, stopping=lambda: False,
                 clock=time.time, pid=os.getpid):
        self._metrics = metrics
        self._processes = processes
        self._process_index = process_index
        self._stopping = stopping
        self._clock = clock
        self._pid = pid

    @staticmethod
    def begin(slot, environ):
        """Called by the worker for each request, only when server metrics are on."""
        slot.client = environ.get("REMOTE_ADDR", "")
        slot.vhost = environ.get("SERVER_NAME", "")
        slot.request = ("%s %s %s" % (environ.get("REQUEST_METHOD", ""),
                                      environ.get("REQUEST_URI", ""),
                                      environ.get("SERVER_PROTOCOL", "")))[:REQUEST_LINE_MAX]

    def server_metrics(self):
        now = self._clock()
        restart = self._metrics.restart_time
        slots = self._metrics.slots
        quiescing = bool(self._stopping())
        return {
            "server_limit": self._processes,
            "thread_limit": len(slots),
            "running_generation": 0,
            "restart_time": restart,
            "current_time": now,
            "running_time": int(now - restart),
            "processes": [{
                "process_num": self._process_index - 1,
                "pid": self._pid(),
                "generation": 0,
                "quiescing": quiescing,
                "workers": [_worker(index, slot, quiescing)
                            for index, slot in enumerate(slots)],
            }],
        }


def _worker(index, slot, quiescing):
    if not slot.started:
        status = "."
    elif slot.active:
        status = "G" if quiescing else "W"
    else:
        status = "_"
    return {
        "thread_num": index, "generation": 0, "status": status,
        "access_count": slot.request_count, "bytes_served": slot.bytes_served,
        "start_time": slot.start, "stop_time": slot.stop,
        "last_used": max(slot.start, slot.stop),
        "client": slot.client, "request": slot.request, "vhost": slot.vhost,
    }
