"""Set-up shared by daemon and service processes, before any user code runs: output
streams, sys.path and the working directory the way mod_wsgi's daemons have them."""

import os
import site
import sys


def line_buffer_streams():
    # The front end writes each line of our stdout/stderr to the error log; print()
    # in the application goes there too, as under mod_wsgi.
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(line_buffering=True, errors="backslashreplace")
        except (AttributeError, ValueError):
            pass


def drop_own_directory(package_dir):
    """Our directory must not shadow or leak into the application's imports."""
    ours = os.path.realpath(package_dir)
    sys.path[:] = [entry for entry in sys.path
                   if not entry or os.path.realpath(entry) != ours]


def enter_working_directory(directory, python_paths):
    """home= semantics: cwd and sys.path[0]; python-path= entries through
    site.addsitedir so their .pth files are processed (reference §6.2, §10 item 4).
    Raises OSError when the directory cannot be entered: the caller stops, it never
    runs on from elsewhere (CVE-2014-8583)."""
    os.chdir(directory)
    sys.path.insert(0, directory)
    for path in python_paths:
        site.addsitedir(path)
