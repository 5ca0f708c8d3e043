"""The debug features of reference §5, around the application: coverage and the
profiler start before it is loaded, the recorder and the post-mortem debugger wrap it
once loaded, and the reports are written when the process stops.

Each feature is imported only when it is on: pdb, cProfile and pprint cost a daemon
several MiB of memory that most servers never use (issue #6)."""

import os
import sys


class DebugSession:
    def __init__(self, config):
        self._config = config
        self._coverage = None
        self._profiler = None

    def start(self):
        """Before the application is imported, so that its import is measured too."""
        config = self._config
        if config.coverageDirectory is not None:
            from .coverage_report import CoverageReport
            self._coverage = CoverageReport(config.coverageDirectory)
        if config.profilerDirectory is not None:
            from .profiler import Profiler
            self._profiler = Profiler(config.profilerDirectory)

    def loaded(self, application):
        """The application as the workers call it; stops in pdb if asked to."""
        if self._profiler is not None:
            from .profiler import ProfilingMiddleware
            self._profiler.pause()
            application = ProfilingMiddleware(application, self._profiler)
        if self._config.recorderDirectory is not None:
            from .recorder import RequestRecorder
            application = RequestRecorder(application, self._config.recorderDirectory)
        if self._config.debugger:
            from .debugger import PostMortemDebugger
            application = PostMortemDebugger(application)
        if self._config.debuggerStartup:
            from .debugger import startup_break
            startup_break()
        return application

    def finish(self):
        """At process exit: each report is written even if another one fails."""
        for report in (self._profiler, self._coverage):
            if report is None:
                continue
            try:
                report.write()
            except Exception as error:
                sys.stderr.write("wsgi-express (pid=%d): cannot write %s: %s\n"
                                 % (os.getpid(), type(report).__name__, error))
