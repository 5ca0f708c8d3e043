"""Embedded mode's guard on fork() (docs/embedded-mode.md, "Hazards").

In embedded mode the application runs inside a wsgi-express worker: a node process
with its event loop, V8's threads, the addon's queues and the other request threads.
fork() copies only the calling thread, so a child made that way holds the worker's
listening and client sockets, a heap whose locks other threads may have held, and no
event loop: a child that runs on (multiprocessing's "fork" start method does) can
deadlock or write into the parent's connections. Python itself warns about fork() in
a multi-threaded process (3.12+); CPython refuses it outright in an isolated
sub-interpreter with RuntimeError, and so do we here, saying what works instead.
subprocess (fork and exec in C, nothing of the parent runs) and multiprocessing's
"spawn" and "forkserver" start methods are unaffected.
"""

import os
import posix

NAMES = ("fork", "forkpty")

ADVICE = (
    "is not available in embedded mode: this process is a wsgi-express embedded worker "
    "(node's event loop and threads), which a fork would copy half of; use subprocess, "
    "multiprocessing.get_context('spawn'), or daemon mode (without --embedded-mode)"
)


class EmbeddedForkError(RuntimeError):
    """os.fork() (or os.forkpty()) called by the application in embedded mode."""


def _refusal(name):
    def refused(*args, **kwargs):
        raise EmbeddedForkError("os.%s() %s" % (name, ADVICE))

    refused.__name__ = name
    refused.__qualname__ = name
    refused.__doc__ = "Refused in embedded mode: %s" % ADVICE
    return refused


def refuse_fork(modules=(os, posix)):
    """Replaces fork() and forkpty() in os and posix (pty.fork and multiprocessing's
    "fork" start method call them through os) with functions that raise."""
    for module in modules:
        for name in NAMES:
            if hasattr(module, name):
                setattr(module, name, _refusal(name))
