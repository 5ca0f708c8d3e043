"""Loads the WSGI application once, at process start (mod_wsgi preloads the script
in daemon mode; reference §6.5)."""

import importlib
import os
import sys
import types

try:
    # The built-in module: hashlib would load OpenSSL's libcrypto, about 3.5 MiB of
    # every daemon's memory for one digest (issue #6).
    from _md5 import md5
except ImportError:  # an interpreter built without it
    from hashlib import md5

from . import default_app


class LoadError(Exception):
    """The application could not be loaded; ``str()`` is the text for the error log."""


def script_module_name(path):
    """``_mod_wsgi_`` + MD5 hex of the absolute path, exactly as mod_wsgi names it, so
    ``__name__.startswith('_mod_wsgi_')`` detects us and equal basenames never clash."""
    digest = md5(os.fsencode(path), usedforsecurity=False).hexdigest()
    return "_mod_wsgi_" + digest


def load_script(path):
    """Compiles and executes the script as a new module registered in sys.modules."""
    path = os.path.abspath(path)
    name = script_module_name(path)
    try:
        with open(path, "rb") as handle:
            source = handle.read()
        mtime = os.stat(path).st_mtime
        code = compile(source, path, "exec", dont_inherit=True)
    except BaseException:
        raise LoadError(_failure("Failed to exec Python script file %r." % path))
    module = types.ModuleType(name)
    module.__file__ = path
    # A script loaded again after an edit (script_watch.py): if the edit fails, the
    # module loaded before, which still serves, stays registered.
    previous = sys.modules.get(name)
    sys.modules[name] = module
    try:
        exec(code, module.__dict__)
    except BaseException:
        # SystemExit too: a script that exits on import is a load failure, not an exit.
        if previous is None:
            sys.modules.pop(name, None)
        else:
            sys.modules[name] = previous
        raise LoadError(_failure("Failed to exec Python script file %r." % path))
    # mod_wsgi attaches the mtime after execution; reloaders compare against it.
    module.__mtime__ = mtime
    return module


def load_module(name):
    try:
        return importlib.import_module(name)
    except BaseException:
        raise LoadError(_failure("Failed to import module %r." % name))


def load_paste(path):
    """A Paste Deploy .ini, as mod_wsgi-express: ``loadapp('config:<path>')``."""
    try:
        from paste.deploy import loadapp
    except ImportError:
        # The front end checked at start-up; a Python changed since then lands here.
        raise LoadError("--application-type paste needs the PasteDeploy package: "
                        "install it with '%s -m pip install PasteDeploy'." % sys.executable)
    try:
        return loadapp("config:%s" % path)
    except BaseException:
        raise LoadError(_failure("Failed to load Paste Deploy configuration %r." % path))


def find_callable(module, callable_name, where):
    application = getattr(module, callable_name, None)
    if application is None:
        # mod_wsgi's wording, so searches for the familiar message still find it.
        raise LoadError("Target WSGI script %s does not contain WSGI application %r."
                        % (where, callable_name))
    if not callable(application):
        raise LoadError("WSGI application %r in %s is not callable (it is of type %s)."
                        % (callable_name, where, type(application).__name__))
    return application


def load_application(config):
    """The WSGI callable named by the launch config; raises LoadError."""
    if config.applicationType == "static":
        # No application: the front end answers every request from the document root.
        return default_app.not_found
    if config.entryPoint is None:
        return default_app.application
    if config.applicationType == "paste":
        return load_paste(config.entryPoint)
    if config.applicationType == "module":
        module = load_module(config.entryPoint)
        where = "module %r" % config.entryPoint
    else:
        module = load_script(config.entryPoint)
        where = "%r" % module.__file__
    return find_callable(module, config.callableObject, where)


def _failure(headline):
    """The headline plus the current exception's traceback, without the frames of
    this loader and of importlib, so the log points straight at the user's code."""
    import traceback  # only when loading fails

    kind, value, tb = sys.exc_info()
    frames = [frame for frame in traceback.extract_tb(tb)
              if frame.filename != __file__ and not frame.filename.startswith("<frozen ")]
    lines = [headline + "\n"]
    if frames:
        lines.append("Traceback (most recent call last):\n")
        lines.extend(traceback.format_list(frames))
    lines.extend(traceback.format_exception_only(kind, value))
    return "".join(lines).rstrip("\n")
