"""--enable-coverage: coverage.py measures the process from before the application is
loaded; the HTML report is written when it stops (reference §5)."""

import os

import coverage

PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class CoverageReport:
    def __init__(self, directory):
        self.directory = directory
        # In memory (no .coverage file in the application's directory); our own runtime
        # is not the developer's code.
        self._coverage = coverage.Coverage(
            data_file=None, omit=[os.path.join(PACKAGE_DIR, "*")])
        self._coverage.start()

    def write(self):
        self._coverage.stop()
        os.makedirs(self.directory, exist_ok=True)
        self._coverage.html_report(directory=self.directory)
