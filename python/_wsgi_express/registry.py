"""Which requests are in flight, so an ABORT from the control connection can flag
the request whose client went away; and which request each worker thread took last, so
a RECALL can cancel a request written ahead to a busy thread before it starts."""

import collections
import threading

# ABORTs for ids not (yet) in flight are remembered this many at a time: the ABORT
# travels on the control connection and can overtake its REQUEST_HEAD.
EARLY_ABORTS = 1024


class Request:
    __slots__ = ("id", "aborted", "thread_ident")

    def __init__(self, request_id, thread_ident=None):
        self.id = request_id
        # Set by the control thread; read by the worker between chunks.
        self.aborted = False
        self.thread_ident = thread_ident


class Registry:
    def __init__(self):
        self._lock = threading.Lock()
        self._active = {}
        self._early = collections.OrderedDict()
        # Worker thread index -> the id of the last request it took, and the ids the
        # front end recalled from it. The front end recalls only the last request it
        # wrote to a thread and writes nothing after it until answered, so "has the
        # thread taken it" is "is it the last one the thread took".
        self._taken = {}
        self._recalled = collections.defaultdict(set)

    def add(self, request, thread):
        """Starts ``request`` on worker ``thread``; False when it was recalled first (the
        front end has given it to another thread, so it must not run here)."""
        with self._lock:
            recalled = self._recalled.get(thread)
            if recalled and request.id in recalled:
                recalled.discard(request.id)
                return False
            self._taken[thread] = request.id
            if self._early.pop(request.id, None) is not None:
                request.aborted = True
            self._active[request.id] = request
            return True

    def recall(self, request_id, thread):
        """Cancels ``request_id``, written ahead to worker ``thread``, unless that thread
        has taken it already. Under the lock ``add`` takes, so the answer is final: True
        means it will never run here."""
        with self._lock:
            if self._taken.get(thread) == request_id:
                return False
            self._recalled[thread].add(request_id)
            return True

    def remove(self, request):
        with self._lock:
            self._active.pop(request.id, None)

    def abort(self, request_id):
        with self._lock:
            request = self._active.get(request_id)
            if request is not None:
                request.aborted = True
                return
            self._early[request_id] = True
            if len(self._early) > EARLY_ABORTS:
                self._early.popitem(last=False)

    def interrupt(self, request_id, inject):
        """Calls ``inject(thread_ident)`` if ``request_id`` is still in flight; under the
        lock, so the thread cannot have moved on to another request meanwhile."""
        with self._lock:
            request = self._active.get(request_id)
            if request is None or request.thread_ident is None:
                return False
            return inject(request.thread_ident)

    def __len__(self):
        return len(self._active)
