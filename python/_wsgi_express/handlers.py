"""--add-handler scripts: document-root files of an extension handed to a Python
handler script, as mod_wsgi-express's resource.wsgi (WSGIHandlerScript) does. The
front end names the script in the request's ``mod_wsgi.handler_script`` (mod_wsgi's
own environ key for a handler request; docs/protocol.md) and the file in
SCRIPT_FILENAME. The handler's ``handle_request`` is called, else its ``application``.

Reloading follows mod_wsgi's wsgi_reload_required(): with script reloading on, the
script is loaded again when its mtime changed, or when its ``reload_required(resource)``
returns true for the requested file; a ``reload_required`` that raises is logged and
does not force a reload (mod_wsgi 6). mod_wsgi's daemon mode restarts the whole process
for this; our runtime loads the script again in place, as it does the WSGI script
(script_watch.py)."""

import os
import threading

from .errorlog import log
from .loader import LoadError, load_script


class HandlerScripts:
    def __init__(self, allowed, reloading):
        self._allowed = frozenset(allowed)
        self._reloading = reloading
        self._modules = {}
        self._lock = threading.Lock()

    def callable_for(self, script, resource):
        """The callable that serves ``resource`` through handler ``script``; raises
        LoadError when the script is not an --add-handler one or does not load."""
        if script not in self._allowed:
            raise LoadError("%r is not an --add-handler script." % script)
        # One thread loads a script at a time: mod_wsgi holds its module lock too.
        with self._lock:
            module = self._modules.get(script)
            if module is not None and self._reloading and _reload_required(module, script,
                                                                         resource):
                module = None
            if module is None:
                module = load_script(script)
                self._modules[script] = module
        function = getattr(module, "handle_request", None)
        if function is None:
            function = getattr(module, "application", None)
        if not callable(function):
            raise LoadError("Handler script %r defines neither handle_request nor "
                            "application." % script)
        return function


def _reload_required(module, script, resource):
    try:
        if os.stat(script).st_mtime != module.__mtime__:
            return True
    except OSError:
        return True
    check = getattr(module, "reload_required", None)
    if check is None:
        return False
    try:
        return bool(check(resource))
    except Exception:
        import traceback

        log("reload_required() of handler script %r raised; the loaded script stays.\n%s"
            % (script, traceback.format_exc().rstrip("\n")))
        return False
