"""The launch settings a daemon receives in WSGI_EXPRESS_DAEMON (protocol.md,
"Starting a daemon process"), validated once into a frozen LaunchConfig."""

import collections
import json
import os

ENV_VAR = "WSGI_EXPRESS_DAEMON"


class LaunchError(Exception):
    """The launch settings are missing or malformed: the daemon cannot start."""


def _string(value):
    return isinstance(value, str)


def _optional_string(value):
    return value is None or isinstance(value, str)


def _integer(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0


def _optional_positive(value):
    return value is None or (_number(value) and value > 0)


def _boolean(value):
    return isinstance(value, bool)


def _string_list(value):
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def _application_type(value):
    return value in ("script", "module", "paste", "static")


# One table drives parsing and the error messages: (JSON key, check, expected, default).
# A default of REQUIRED means the front end must always send the key.
REQUIRED = object()
FIELDS = (
    ("socket", _string, "a socket path", REQUIRED),
    ("token", _string, "a hex string", REQUIRED),
    ("processIndex", _integer, "an integer", 1),
    ("processes", _integer, "an integer", 1),
    ("multiprocess", _boolean, "true or false", False),
    ("threads", _integer, "an integer", 5),
    ("maximumRequests", _integer, "an integer", 0),
    ("cpuTimeLimit", _number, "a number of seconds", 0),
    ("virtualMemoryLimit", _integer, "a number of bytes", 0),
    ("shutdownTimeout", _number, "a number of seconds", 5),
    ("reloadOnChanges", _boolean, "true or false", False),
    # Reload the WSGI script file when a request finds its mtime changed.
    ("scriptReloading", _boolean, "true or false", False),
    ("enableSendfile", _boolean, "true or false", False),
    # --server-metrics (or --server-status): mod_wsgi.server_metrics() answers.
    ("serverMetrics", _boolean, "true or false", False),
    # SO_SNDBUF and SO_RCVBUF of the worker connections; 0: the system's default.
    ("sendBufferSize", _integer, "a number of bytes", 0),
    ("receiveBufferSize", _integer, "a number of bytes", 0),
    # --switch-interval (seconds, > 0) or null: Python's own; --orphan-interpreter;
    # --free-threading (the front end also passed -X gil=0).
    ("switchInterval", _optional_positive, "a number of seconds above 0 or null", None),
    ("orphanInterpreter", _boolean, "true or false", False),
    ("freeThreading", _boolean, "true or false", False),
    # A front-end path this process must be able to open to be sent REQUEST_BODY_FILE.
    ("bodyFileProbe", _optional_string, "a path or null", None),
    ("displayName", _string, "a process title", ""),
    ("applicationType", _application_type, '"script", "module", "paste" or "static"',
     "script"),
    ("entryPoint", _optional_string, "a path, a module name or null", None),
    ("callableObject", _string, "an identifier", "application"),
    ("workingDirectory", _string, "a directory", None),
    ("pythonPaths", _string_list, "a list of directories", ()),
    ("processGroup", _string, "a string", ""),
    ("applicationGroup", _string, "a string", ""),
    # --add-handler scripts: the only ones a request's mod_wsgi.handler_script may name.
    ("handlerScripts", _string_list, "a list of paths", ()),
    ("user", _optional_string, "a user name or null", None),
    ("group", _optional_string, "a group name or null", None),
    # The debug features (reference §5); a null directory means the feature is off.
    ("debugger", _boolean, "true or false", False),
    ("debuggerStartup", _boolean, "true or false", False),
    ("coverageDirectory", _optional_string, "a directory or null", None),
    ("profilerDirectory", _optional_string, "a directory or null", None),
    ("recorderDirectory", _optional_string, "a directory or null", None),
    # --enable-gdb: our parent is gdb, the process the front end knows.
    ("underGdb", _boolean, "true or false", False),
)

LaunchConfig = collections.namedtuple("LaunchConfig", [name for name, *_ in FIELDS])


def parse_launch(text):
    """Parses the JSON text of WSGI_EXPRESS_DAEMON into a LaunchConfig."""
    try:
        raw = json.loads(text)
    except ValueError as error:
        raise LaunchError("%s is not valid JSON: %s" % (ENV_VAR, error))
    if not isinstance(raw, dict):
        raise LaunchError("%s must be a JSON object, got %s" % (ENV_VAR, type(raw).__name__))
    values = {}
    for name, check, expected, default in FIELDS:
        values[name] = _field(raw, name, check, expected, default)
    if values["threads"] < 1:
        raise LaunchError("%s: threads must be at least 1, got %d" % (ENV_VAR, values["threads"]))
    if values["workingDirectory"] is None:
        values["workingDirectory"] = os.getcwd()
    values["pythonPaths"] = tuple(values["pythonPaths"])
    values["handlerScripts"] = tuple(values["handlerScripts"])
    return LaunchConfig(**values)


def _field(raw, name, check, expected, default):
    # null counts as absent, so "entryPoint": null selects the default page.
    if raw.get(name) is None:
        if default is REQUIRED:
            raise LaunchError("%s: %r is required (%s)" % (ENV_VAR, name, expected))
        return default
    value = raw[name]
    if not check(value):
        raise LaunchError("%s: %r must be %s, got %r" % (ENV_VAR, name, expected, value))
    return value


def take_launch_config(environ=os.environ):
    """Reads and removes WSGI_EXPRESS_DAEMON so the application never sees it."""
    text = environ.pop(ENV_VAR, None)
    if text is None:
        raise LaunchError(
            "%s is not set: daemon.py is started by the wsgi-express front end" % ENV_VAR)
    return parse_launch(text)
