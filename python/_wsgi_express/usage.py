"""The process's resource usage, read as mod_wsgi reads it (src/server/wsgi_memory.c,
times(2)): resident memory now and at its peak, in bytes; CPU seconds."""

import os
import threading
import time

try:
    import resource
except ImportError:  # not on Unix: the daemons need Unix sockets anyway
    resource = None

PAGE_SIZE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def memory_rss():
    """Current resident set size in bytes: /proc/self/statm on Linux, else the peak
    (the best getrusage(2) offers), as mod_wsgi falls back."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[1]) * PAGE_SIZE
    except (OSError, ValueError, IndexError):
        return memory_max_rss()


def memory_max_rss():
    """Peak resident set size in bytes (getrusage's ru_maxrss is KiB on Linux, bytes on
    macOS)."""
    if resource is None:
        return 0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if os.uname().sysname == "Darwin" else peak * 1024


def cpu_times():
    """(user, system) CPU seconds this process has used since it started."""
    times = os.times()
    return times.user, times.system


def cpu_clock():
    """The calling thread's CPU-time clock id, which any thread can read; None where
    Python does not offer it (not Linux or BSD)."""
    try:
        return time.pthread_getcpuclockid(threading.get_ident())
    except (AttributeError, OSError):
        return None


def thread_cpu(clock):
    """CPU seconds a thread has used, by its clock id; 0.0 without one."""
    if clock is None:
        return 0.0
    try:
        return time.clock_gettime(clock)
    except OSError:  # the thread has ended
        return 0.0
