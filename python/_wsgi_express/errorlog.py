"""wsgi.errors: a text stream onto the process's stderr, which the front end writes to
the error log line by line (PEP 3333 "Input and Error Streams"; mod_wsgi's Log)."""

import os
import sys


def log(message):
    """A message of the daemon's own for the error log, marked with its pid."""
    sys.stderr.write("wsgi-express (pid=%d): %s\n" % (os.getpid(), message))


class ErrorStream:
    """Line-oriented: text is held until a newline (or flush()) and each whole line is
    written with a single call, so lines from concurrent requests never interleave."""

    def __init__(self):
        self._pending = ""

    def write(self, text):
        if not isinstance(text, str):
            # PEP 3333: wsgi.errors is a text stream; mod_wsgi raises TypeError too.
            raise TypeError("wsgi.errors.write() argument must be str, not %s"
                            % type(text).__name__)
        text = self._pending + text
        cut = text.rfind("\n") + 1
        self._pending = text[cut:]
        if cut:
            sys.stderr.write(text[:cut])

    def writelines(self, lines):
        for line in lines:
            self.write(line)

    def flush(self):
        if self._pending:
            pending, self._pending = self._pending, ""
            sys.stderr.write(pending + "\n")
        sys.stderr.flush()

    def close(self):
        """Called by the server at the end of the request: no partial line is lost."""
        if self._pending:
            self.flush()

    @property
    def closed(self):
        return False

    def writable(self):
        return True

    def isatty(self):
        return False
