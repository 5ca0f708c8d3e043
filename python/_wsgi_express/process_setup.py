"""Set-up shared by daemon and service processes, before any user code runs: output
streams, sys.path and the working directory the way mod_wsgi's daemons have them."""

import json
import os
import site
import sys

from .privileges import EXIT_PRIVILEGES, PrivilegeError, drop_privileges

# A helper process's settings (JSON in its environment) are missing or invalid.
EXIT_CONFIG = 2


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


def take_on_settings(env_var, package_dir, log, parse):
    """A helper process's start (a service, the auth helper): its settings popped from
    ``env_var`` (the application never sees them) and read by ``parse`` (which raises
    KeyError, ValueError or TypeError when they are invalid), its --user/--group taken
    on, then our own directory off sys.path and its working directory entered, as for
    the daemons. Returns ``(settings, parsed, None)``, or ``(None, None, exit status)``
    with the reason logged."""
    try:
        settings = json.loads(os.environ.pop(env_var))
        parsed = parse(settings)
    except (KeyError, ValueError, TypeError) as error:
        log("%s is missing or invalid: %s" % (env_var, error))
        return None, None, EXIT_CONFIG
    try:
        drop_privileges(settings.get("user"), settings.get("group"))
    except PrivilegeError as error:
        log(str(error))
        return None, None, EXIT_PRIVILEGES
    try:
        drop_own_directory(package_dir)
        enter_working_directory(settings.get("workingDirectory") or os.getcwd(),
                                settings.get("pythonPaths") or ())
    except OSError as error:
        # CVE-2014-8583, as for the daemons: never run on from the wrong directory.
        log("cannot change to the working directory: %s" % error)
        return None, None, EXIT_PRIVILEGES
    return settings, parsed, None
