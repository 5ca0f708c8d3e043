"""Runs python/daemon.py with every thread under cProfile, for bench/PROFILE.md.

cProfile only sees the thread that enables it, and the daemon serves requests on
worker threads, so each Thread.run is wrapped in its own profiler; the profiles are
merged and written at exit. The timer is the thread's CPU clock, so time blocked in
recv() is not counted: tottime is CPU, including the kernel work of each system call.

    python bench/profile/profiled_daemon.py OUT.prof path/to/python/daemon.py
"""

import atexit
import cProfile
import pstats
import runpy
import sys
import threading
import time

OUT, DAEMON = sys.argv[1], sys.argv[2]
PROFILES = []
_run = threading.Thread.run


def _profiled_run(self):
    profile = cProfile.Profile(time.thread_time)
    PROFILES.append(profile)
    profile.enable()
    try:
        _run(self)
    finally:
        profile.disable()


def _dump():
    stats = None
    for profile in PROFILES:
        profile.disable()
        stats = pstats.Stats(profile) if stats is None else stats.add(profile)
    if stats is not None:
        stats.dump_stats(OUT)


threading.Thread.run = _profiled_run
atexit.register(_dump)
sys.argv = [DAEMON]
runpy.run_path(DAEMON, run_name="__main__")
